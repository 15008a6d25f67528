package com.postroom.mail;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;


/**
 * Where and how to reach one SMTP or IMAP server: host, port, TLS mode, credentials and the timeouts that every
 * connection gets (Angus Mail's own defaults are infinite).
 */
public record MailServer(String host, int port, TlsMode tls, Optional<String> username, Optional<Secret> password,
                         Duration connectTimeout, Duration readTimeout) {

    public boolean authenticates() {
        return username.isPresent() && password.isPresent();
    }

    /** True for 127.0.0.0/8, ::1 and names that resolve only to them (the sandbox, a local Postfix). */
    public boolean isLoopback() {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public String describe() {
        return host + ":" + port + " (" + tls.name().toLowerCase() + ")";
    }
}
