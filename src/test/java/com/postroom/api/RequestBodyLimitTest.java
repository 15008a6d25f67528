package com.postroom.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.postroom.support.Api;
import com.postroom.support.SandboxTest;

/**
 * A request body past 50 MB is refused with a 413 in the route's own error shape, never read whole into memory: one
 * declared larger before a byte of it is read, one sent in chunks without a length once the limit is passed. Before
 * the limit a client could post any size, and the JSON routes held all of it in the heap.
 */
@SandboxTest
class RequestBodyLimitTest {

    private static final long LIMIT = 50L * 1024 * 1024;

    @LocalServerPort
    int port;

    @Test
    void aBodyDeclaredLargerThanTheLimitIsRefusedBeforeItIsRead() throws Exception {
        String token = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD).post("/api/auth/tokens",
                Map.of("name", "limit")).body().path("token").asString();
        String answer = exchange("POST /api/email/send HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nContent-Length: " + (LIMIT + 1) + "\r\n\r\n{\"to\":", false);
        assertThat(answer).startsWith("HTTP/1.1 413");
        assertThat(answer).contains("\"detail\"").contains("larger than this server accepts (50 MB)");
    }

    @Test
    void aChunkedBodyIsReadUpToTheLimitAndRefusedInPostmarksShape() throws Exception {
        Api admin = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        String server = admin.post("/api/postmark/servers", Map.of("name", "limit",
                "senders", List.of("billing@postroom.test"))).body().get("token").asString();
        String answer = exchange("POST /email/batch HTTP/1.1\r\nHost: localhost\r\nX-Postmark-Server-Token: " + server
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", true);
        assertThat(answer).startsWith("HTTP/1.1 413");
        assertThat(answer).contains("\"ErrorCode\":300").contains("larger than this server accepts");
    }

    /** Sends the head, then (chunked) 51 MB of JSON whitespace in chunks, and reads the answer's first bytes. */
    private String exchange(String head, boolean chunked) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            if (chunked) {
                byte[] chunk = new byte[1024 * 1024];
                Arrays.fill(chunk, (byte) ' ');
                chunk[0] = '[';
                byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                try {
                    for (int i = 0; i < 51; i++) {
                        out.write(size);
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        chunk[0] = ' ';
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closed) {
                    // The server may answer and close before the rest is written: its answer is what counts.
                }
            }
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            while (answer.size() < 4096 && (n = in.read(buffer)) > 0) {
                answer.write(buffer, 0, n);
                if (answer.toString(StandardCharsets.UTF_8).contains("}")) {
                    break;
                }
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }
}
