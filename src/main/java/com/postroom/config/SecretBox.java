package com.postroom.config;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.stereotype.Component;

import com.postroom.mail.Secret;

/**
 * Encrypts credentials stored in the database (a synced mailbox's password) with AES-256-GCM under a key derived
 * from POSTROOM_SECRET_KEY. The context (what the value belongs to) is bound as associated data, so a ciphertext
 * copied to another row does not decrypt.
 */
@Component
public class SecretBox {

    private static final int IV_BYTES = 12;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    public SecretBox(Keys keys) {
        this.key = new SecretKeySpec(keys.hmac("credential-encryption", new byte[0]), "AES");
    }

    public byte[] seal(Secret secret, String context) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(secret.reveal().getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fails with a {@link ConfigurationError} when the key changed since the value was sealed. */
    public Secret open(byte[] sealed, String context) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, IV_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES);
            return Secret.of(new String(plain, StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new ConfigurationError("A stored credential (" + context + ") cannot be decrypted: "
                    + "POSTROOM_SECRET_KEY is not the key it was stored with. Restore that key, or re-enter the "
                    + "credential.");
        }
    }
}
