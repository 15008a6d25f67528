package com.postroom.config;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import jakarta.servlet.ServletException;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.springframework.security.web.util.matcher.IpAddressMatcher;

/**
 * Believes a reverse proxy's {@code X-Forwarded-For} and {@code X-Forwarded-Proto} only when the connection comes
 * from one of TRUSTED_PROXIES (addresses or CIDR ranges; loopback by default). Then the request is what the visitor
 * sent to the proxy: its client address is the visitor's (the rightmost address in X-Forwarded-For that is not a
 * trusted proxy, so a visitor cannot forge it), and behind HTTPS it is secure, so redirects stay on https, the session
 * cookie is Secure and HSTS is sent. A valve rather than a servlet filter because Tomcat decides the session cookie's
 * Secure flag from its own request, which a filter's wrapper does not reach. Tomcat's RemoteIpValve takes regular
 * expressions, not CIDR ranges; this does the same few things (as it does them) with ranges.
 */
final class TrustedProxyValve extends ValveBase {

    private final List<IpAddressMatcher> trusted;

    TrustedProxyValve(List<String> trustedProxies) {
        super(true);
        this.trusted = trustedProxies.stream().map(IpAddressMatcher::new).toList();
    }

    boolean isTrusted(String address) {
        if (address == null || address.isBlank()) {
            return false;
        }
        String a = address.strip();
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        try {
            for (IpAddressMatcher m : trusted) {
                if (m.matches(a)) {
                    return true;
                }
            }
        } catch (IllegalArgumentException notAnAddress) {
            return false;
        }
        return false;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        if (!isTrusted(request.getRemoteAddr())) {
            getNext().invoke(request, response);
            return;
        }
        String remoteAddr = request.getRemoteAddr();
        String remoteHost = request.getRemoteHost();
        boolean secure = request.isSecure();
        String scheme = request.getCoyoteRequest().scheme().toString();
        int serverPort = request.getServerPort();
        try {
            String client = clientOf(request, remoteAddr);
            request.setRemoteAddr(client);
            request.setRemoteHost(client);
            String proto = last(request, "X-Forwarded-Proto");
            if (proto != null) {
                boolean https = proto.equalsIgnoreCase("https");
                request.setSecure(https);
                request.getCoyoteRequest().scheme().setString(https ? "https" : "http");
                String port = last(request, "X-Forwarded-Port");
                request.getCoyoteRequest().setServerPort(port != null && port.matches("\\d{1,5}")
                        ? Integer.parseInt(port) : https ? 443 : 80);
            }
            getNext().invoke(request, response);
        } finally {
            request.setRemoteAddr(remoteAddr);
            request.setRemoteHost(remoteHost);
            request.setSecure(secure);
            request.getCoyoteRequest().scheme().setString(scheme);
            request.getCoyoteRequest().setServerPort(serverPort);
        }
    }

    /** Walks X-Forwarded-For from the right past trusted proxies: the first address that is not one is the client. */
    private String clientOf(Request request, String remoteAddr) {
        List<String> hops = new ArrayList<>();
        for (String header : Collections.list(request.getHeaders("X-Forwarded-For"))) {
            for (String hop : header.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.strip());
                }
            }
        }
        String client = remoteAddr;
        for (int i = hops.size() - 1; i >= 0; i--) {
            client = hops.get(i);
            if (!isTrusted(client)) {
                break;
            }
        }
        return client;
    }

    private static String last(Request request, String name) {
        String value = null;
        for (String header : Collections.list(request.getHeaders(name))) {
            String[] parts = header.split(",");
            value = parts[parts.length - 1].strip().toLowerCase(Locale.ROOT);
        }
        return value == null || value.isEmpty() ? null : value;
    }
}
