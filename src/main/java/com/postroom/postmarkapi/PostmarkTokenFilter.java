package com.postroom.postmarkapi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The Postmark API's authentication: the {@code X-Postmark-Server-Token} header names an active server of an
 * organization, or the request is answered 401 with Postmark's ErrorCode 10 before any controller runs.
 */
final class PostmarkTokenFilter extends OncePerRequestFilter {

    static final String HEADER = "X-Postmark-Server-Token";
    private static final String ATTRIBUTE = PostmarkTokenFilter.class.getName() + ".server";

    private final PostmarkServers servers;

    PostmarkTokenFilter(PostmarkServers servers) {
        this.servers = servers;
    }

    static PostmarkServers.Server server(HttpServletRequest request) {
        return (PostmarkServers.Server) request.getAttribute(ATTRIBUTE);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String token = request.getHeader(HEADER);
        if (token == null || token.isBlank()) {
            refuse(response, "No Account or Server API tokens were supplied in the HTTP headers. Please add a header "
                    + "for either X-Postmark-Server-Token or X-Postmark-Account-Token.");
            return;
        }
        Optional<PostmarkServers.Server> server = servers.authenticate(token);
        if (server.isEmpty()) {
            refuse(response, "The Server Token you provided in the X-Postmark-Server-Token request header was "
                    + "invalid. Please verify that you are using a valid token.");
            return;
        }
        request.setAttribute(ATTRIBUTE, server.get());
        chain.doFilter(new AnyCaseParameters(request), response);
    }

    /**
     * Query parameters by name in any case, as Postmark reads them: its Node client sends fromDate, toDate, fromEmail
     * and messageStream, its docs write fromdate and todate, and an exact match would drop the filter silently.
     */
    static final class AnyCaseParameters extends jakarta.servlet.http.HttpServletRequestWrapper {
        AnyCaseParameters(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String[] getParameterValues(String name) {
            String[] exact = super.getParameterValues(name);
            if (exact != null) {
                return exact;
            }
            for (java.util.Map.Entry<String, String[]> p : super.getParameterMap().entrySet()) {
                if (p.getKey().equalsIgnoreCase(name)) {
                    return p.getValue();
                }
            }
            return null;
        }

        @Override
        public String getParameter(String name) {
            String[] values = getParameterValues(name);
            return values == null || values.length == 0 ? null : values[0];
        }
    }

    private static void refuse(HttpServletResponse response, String message) throws IOException {
        response.setStatus(401);
        response.setContentType("application/json");
        response.getOutputStream().write(("{\"ErrorCode\":10,\"Message\":\"" + message + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    }
}
