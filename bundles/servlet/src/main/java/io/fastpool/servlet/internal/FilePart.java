package io.fastpool.servlet.internal;

import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.fileupload2.core.DiskFileItem;

/**
 * One part of a {@code multipart/form-data} body, as Commons FileUpload stored it (in memory below
 * the servlet's {@code fileSizeThreshold}, else in a file under its {@code location}).
 */
final class FilePart implements Part {

    private final DiskFileItem item;
    private final Path location;

    FilePart(DiskFileItem item, Path location) {
        this.item = item;
        this.location = location;
    }

    @Override public InputStream getInputStream() throws IOException { return item.getInputStream(); }
    @Override public String getContentType() { return item.getContentType(); }
    @Override public String getName() { return item.getFieldName(); }
    @Override public String getSubmittedFileName() { return item.getName(); }
    @Override public long getSize() { return item.getSize(); }
    @Override public void delete() throws IOException { item.delete(); }
    @Override public String getHeader(String name) { return item.getHeaders().getHeader(name); }
    @Override public Collection<String> getHeaders(String name) { return list(item.getHeaders().getHeaders(name)); }
    @Override public Collection<String> getHeaderNames() { return list(item.getHeaders().getHeaderNames()); }

    /** A relative name is taken under the multipart location, as the Servlet API says. */
    @Override
    public void write(String fileName) throws IOException {
        item.write(location.resolve(fileName));
    }

    boolean isFormField() {
        return item.isFormField();
    }

    String text(Charset charset) throws IOException {
        return item.getString(charset);
    }

    private static List<String> list(Iterator<String> values) {
        List<String> list = new ArrayList<>();
        values.forEachRemaining(list::add);
        return list;
    }
}
