package com.postroom.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RawChunksTest {

    @Test
    void textIsKeptCompressedAndComesBackExactly() {
        byte[] plain = "Received: from mx.example.com\r\nSubject: Statement 12\r\n\r\nYour balance is due.\r\n"
                .repeat(200).getBytes(StandardCharsets.US_ASCII);
        RawChunks.Stored stored = RawChunks.pack(plain);
        assertThat(stored.plainSize()).isEqualTo(plain.length);
        assertThat(stored.data().length).isLessThan(plain.length / 4);
        assertThat(RawChunks.unpack(stored.data(), stored.plainSize())).isEqualTo(plain);
    }

    @Test
    void bytesThatWouldNotShrinkAndTinyChunksAreKeptAsTheyCame() {
        byte[] random = new byte[100_000];
        new Random(5).nextBytes(random);
        RawChunks.Stored stored = RawChunks.pack(random);
        assertThat(stored.plainSize()).isNull();
        assertThat(stored.data()).isSameAs(random);
        assertThat(RawChunks.unpack(stored.data(), null)).isSameAs(random);

        byte[] tiny = "x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(RawChunks.pack(tiny).plainSize()).isNull();
        assertThat(RawChunks.pack(new byte[0]).data()).isEmpty();
    }

    @Test
    void aChunkThatDoesNotMatchItsRecordedSizeIsRefusedNotServed() {
        byte[] plain = "statement ".repeat(1000).getBytes(StandardCharsets.US_ASCII);
        RawChunks.Stored stored = RawChunks.pack(plain);
        assertThatThrownBy(() -> RawChunks.unpack(stored.data(), plain.length + 1)).isInstanceOf(RuntimeException.class);
    }
}
