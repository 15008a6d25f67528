package com.postroom.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.stereotype.Component;

/**
 * The server's secret key (POSTROOM_SECRET_KEY): it tags Postroom's own Message-IDs and encrypts stored credentials.
 * With the embedded database a key is generated into the data folder on first start; with an external database
 * every instance must share one, so it must be configured.
 */
@Component
public class Keys {

    private final byte[] key;

    public Keys(PostroomSettings settings) {
        this.key = settings.secretKey()
                .map(s -> s.reveal().getBytes(StandardCharsets.UTF_8))
                .orElseGet(() -> generated(settings));
    }

    private static byte[] generated(PostroomSettings settings) {
        if (settings.databaseUrl().isPresent()) {
            throw new ConfigurationError("POSTROOM_SECRET_KEY must be set when DATABASE_URL is: every instance on "
                    + "that database needs the same key (for example `openssl rand -base64 48`).");
        }
        Path file = settings.dataDir().resolve("secret.key");
        try {
            Files.createDirectories(settings.dataDir());
            if (!Files.exists(file)) {
                byte[] bytes = new byte[48];
                new SecureRandom().nextBytes(bytes);
                Files.writeString(file, Base64.getEncoder().encodeToString(bytes), StandardCharsets.UTF_8);
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // Not a POSIX file system.
                }
            }
            return Files.readString(file, StandardCharsets.UTF_8).trim().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigurationError("POSTROOM_SECRET_KEY is unset and " + file + " cannot be written; set "
                    + "POSTROOM_SECRET_KEY or make POSTROOM_DATA_DIR writable.");
        }
    }

    /** HMAC-SHA256 of the input under a key derived for one purpose, so no two uses share a key. */
    public byte[] hmac(String purpose, byte[] input) {
        try {
            return macFor(purpose).doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Each purpose's key is derived once and its MAC set up once; every call works on a copy of that MAC (Mac is not
     * thread-safe; a copy is). Looking up the algorithm twice and deriving the key again for every Message-ID was a
     * twentieth of a call of 500 to /email/batch.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Mac> prototypes =
            new java.util.concurrent.ConcurrentHashMap<>();

    private Mac macFor(String purpose) throws GeneralSecurityException {
        Mac prototype = prototypes.get(purpose);
        if (prototype == null) {
            prototype = newMac(purpose);
            prototypes.putIfAbsent(purpose, prototype);
        }
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            return newMac(purpose); // a provider whose MACs cannot be copied
        }
    }

    private Mac newMac(String purpose) throws GeneralSecurityException {
        Mac derive = Mac.getInstance("HmacSHA256");
        derive.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] subKey = derive.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(subKey, "HmacSHA256"));
        return mac;
    }
}
