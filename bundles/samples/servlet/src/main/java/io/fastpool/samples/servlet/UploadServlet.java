package io.fastpool.samples.servlet;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletMultipart;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code POST /servlet/upload}, the form's file upload ({@code multipart/form-data}): answers the
 * file's name, size and SHA-256. The whiteboard reads the parts because the servlet is registered
 * with multipart enabled, up to {@value #MAX_FILE_SIZE} bytes a file; a larger one is a 413.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/servlet/upload")
@HttpWhiteboardServletName("upload")
@HttpWhiteboardServletMultipart(enabled = true, maxFileSize = UploadServlet.MAX_FILE_SIZE)
public class UploadServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final long MAX_FILE_SIZE = 10 * 1024 * 1024;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
        Part file = request.getPart("file");
        if (file == null || file.getSubmittedFileName() == null || file.getSubmittedFileName().isEmpty()) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "choose a file to upload (form field 'file')");
            return;
        }
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().print("Received " + file.getSubmittedFileName() + ": " + file.getSize() + " bytes, SHA-256 " + sha256(file));
    }

    private static String sha256(Part file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(file.getInputStream(), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
