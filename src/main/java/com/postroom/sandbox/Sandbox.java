package com.postroom.sandbox;

import java.util.Optional;

/** The sandbox mail server when Postroom runs in sandbox mode, else empty; a bean cannot be null. */
public record Sandbox(Optional<SandboxMailServer> server) implements AutoCloseable {

    @Override
    public void close() {
        server.ifPresent(SandboxMailServer::close);
    }
}
