package com.postroom.api;

import java.io.IOException;
import java.io.Writer;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpStatus;

/**
 * The servlet container's own error answer, for requests it refuses before Postroom sees them (an encoded slash in
 * the path, a malformed URI or header): the one JSON error shape instead of Tomcat's HTML page with its version.
 * Every other error goes through {@link JsonErrorController}.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        // As Tomcat's own: nothing for a success, nothing once a body was written or the error was reported.
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        HttpStatus known = HttpStatus.resolve(status);
        String detail = known == null ? "Error " + status
                : known == HttpStatus.BAD_REQUEST ? "The request could not be read: check the URL (an encoded '/' "
                        + "or '\\' is not accepted in a path) and the headers." : known.getReasonPhrase();
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write("{\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}");
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone, or the response was committed meanwhile: nothing more to say
        }
    }
}
