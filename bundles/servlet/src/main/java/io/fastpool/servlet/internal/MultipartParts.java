package io.fastpool.servlet.internal;

import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.fileupload2.core.DiskFileItem;
import org.apache.commons.fileupload2.core.DiskFileItemFactory;
import org.apache.commons.fileupload2.core.FileUploadException;
import org.apache.commons.fileupload2.core.FileUploadSizeException;
import org.apache.commons.fileupload2.jakarta.servlet6.JakartaServletDiskFileUpload;

/**
 * The parts of a {@code multipart/form-data} request, read by Apache Commons FileUpload 2 under the
 * servlet's {@link MultipartConfigElement} (location, {@code maxFileSize}, {@code maxRequestSize},
 * {@code fileSizeThreshold}; the whiteboard takes them from {@code osgi.http.whiteboard.servlet.multipart.*})
 * and {@link ServletLimits#maxFormKeys()} as the most parts. Files it wrote are deleted by
 * {@link #delete()} when the request ends, as a servlet container does.
 */
final class MultipartParts {

    private final List<FilePart> parts;

    private MultipartParts(List<FilePart> parts) {
        this.parts = parts;
    }

    /** Reads every part of {@code request}'s body. */
    static MultipartParts read(HttpServletRequest request, MultipartConfigElement config, ServletLimits limits, Charset charset)
            throws IOException {
        Path location = location(config);
        DiskFileItemFactory factory = DiskFileItemFactory.builder().setPath(location)
                .setThreshold(Math.max(config.getFileSizeThreshold(), 0)).setCharset(charset).get();
        JakartaServletDiskFileUpload upload = new JakartaServletDiskFileUpload(factory);
        upload.setMaxSize(config.getMaxRequestSize());
        upload.setMaxFileSize(config.getMaxFileSize());
        upload.setMaxFileCount(limits.maxFormKeys());
        upload.setHeaderCharset(charset);
        List<FilePart> parts = new ArrayList<>();
        try {
            for (DiskFileItem item : upload.parseRequest(request)) {
                parts.add(new FilePart(item, location));
            }
        } catch (FileUploadSizeException e) {
            throw new MultipartTooLargeException("multipart body over its limit (" + e.getPermitted()
                    + "; maxRequestSize, maxFileSize or maxFormKeys): " + e.getMessage(), e);
        } catch (FileUploadException e) {
            throw new MalformedMultipartException("multipart body could not be read: " + e.getMessage(), e);
        }
        return new MultipartParts(parts);
    }

    private static Path location(MultipartConfigElement config) {
        String location = config.getLocation();
        return Path.of(location == null || location.isEmpty() ? System.getProperty("java.io.tmpdir") : location);
    }

    List<Part> parts() {
        return List.copyOf(parts);
    }

    /** Adds the values of the parts without a file name to {@code parameters}, as {@code getParameter} shows them. */
    void addFormFields(Map<String, List<String>> parameters, Charset charset) throws IOException {
        for (FilePart part : parts) {
            if (part.isFormField()) {
                parameters.computeIfAbsent(part.getName(), k -> new ArrayList<>(1)).add(part.text(charset));
            }
        }
    }

    /** Deletes what the parts stored; a file the servlet moved with {@code write} is already gone. */
    void delete() {
        for (FilePart part : parts) {
            try {
                part.delete();
            } catch (IOException e) {
                // The temporary file stays in the location; nothing else can be done about it here.
            }
        }
    }
}
