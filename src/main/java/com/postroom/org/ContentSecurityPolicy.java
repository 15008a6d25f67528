package com.postroom.org;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.web.header.HeaderWriter;

/**
 * The web UI's Content-Security-Policy, per request. Scripts come only from Postroom's own files (no inline script, no
 * eval), nothing may frame a page (but Postroom its own composer), forms post only to Postroom, and nothing loads from elsewhere. The mail pages
 * differ in two ways only: a message's own inline styles may apply inside its sandboxed {@code srcdoc} frame (which
 * inherits this policy; the HTML was sanitised and its CSS properties filtered first), and with "show images" the
 * message's remote images may load. Scripts stay forbidden there too.
 */
final class ContentSecurityPolicy implements HeaderWriter {

    static final String STRICT = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; "
            + "form-action 'self'; frame-ancestors 'none'";

    static String forRequest(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.startsWith("/settings/statements/")) {
            // The preview of a statement template: the organization's own HTML in a sandboxed srcdoc frame (no
            // scripts), whose inline styles are the template's layout.
            return STRICT.replace("style-src 'self';", "style-src 'self' 'unsafe-inline';");
        }
        if (!path.startsWith("/mail/")) {
            return STRICT;
        }
        String images = "true".equals(request.getParameter("images")) ? " https: http:" : "";
        return STRICT.replace("style-src 'self';", "style-src 'self' 'unsafe-inline';")
                .replace("img-src 'self' data:;", "img-src 'self' data:" + images + ";");
    }

    /**
     * The composer opens as a window over the mailbox (a frame of Postroom's own page): it alone may be framed, and
     * only by Postroom. Every other page may not be framed at all.
     */
    static boolean framedByPostroom(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length()).equals("/mail/compose");
    }

    @Override
    public void writeHeaders(HttpServletRequest request, HttpServletResponse response) {
        boolean framed = framedByPostroom(request);
        if (!response.containsHeader("Content-Security-Policy")) {
            String policy = forRequest(request);
            response.setHeader("Content-Security-Policy", framed
                    ? policy.replace("frame-ancestors 'none'", "frame-ancestors 'self'") : policy);
        }
        if (!response.containsHeader("X-Frame-Options")) {
            response.setHeader("X-Frame-Options", framed ? "SAMEORIGIN" : "DENY");
        }
    }
}
