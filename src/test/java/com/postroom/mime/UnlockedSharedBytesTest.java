package com.postroom.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Random;

import jakarta.mail.internet.SharedInputStream;
import jakarta.mail.util.SharedByteArrayInputStream;

import org.junit.jupiter.api.Test;

/** The lock-free stream the MIME parser reads behaves as Jakarta Mail's own, call for call, its views included. */
class UnlockedSharedBytesTest {

    @Test
    void everyCallAnswersAsJakartaMailsStreamDoes() throws Exception {
        Random random = new Random(11);
        for (int round = 0; round < 500; round++) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            compare(random, new UnlockedSharedBytes(bytes), new SharedByteArrayInputStream(bytes), 0);
        }
    }

    @Test
    void aReadOutsideItsArrayIsRefusedAsJakartaMailsStreamRefusesIt() {
        for (int[] bad : new int[][] {{1, 2}, {-1, 1}, {0, -1}, {3, 0}, {Integer.MAX_VALUE, 2}}) {
            assertThatThrownBy(() -> new UnlockedSharedBytes(new byte[4]).read(new byte[2], bad[0], bad[1]))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> new SharedByteArrayInputStream(new byte[4]).read(new byte[2], bad[0], bad[1]))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    private static void compare(Random random, InputStream mine, InputStream theirs, int depth) throws Exception {
        for (int step = 0; step < 60; step++) {
            switch (random.nextInt(depth < 2 ? 9 : 8)) {
                case 0 -> assertThat(mine.read()).isEqualTo(theirs.read());
                case 1 -> {
                    int off = random.nextInt(4);
                    int len = random.nextInt(40);
                    byte[] a = new byte[off + len + random.nextInt(3)];
                    byte[] b = a.clone();
                    assertThat(mine.read(a, off, len)).isEqualTo(theirs.read(b, off, len));
                    assertThat(a).isEqualTo(b);
                }
                case 2 -> {
                    long n = random.nextInt(60) - 10;
                    assertThat(mine.skip(n)).isEqualTo(theirs.skip(n));
                }
                case 3 -> assertThat(mine.available()).isEqualTo(theirs.available());
                case 4 -> {
                    mine.mark(100);
                    theirs.mark(100);
                }
                case 5 -> {
                    mine.reset();
                    theirs.reset();
                }
                case 6 -> assertThat(((SharedInputStream) mine).getPosition())
                        .isEqualTo(((SharedInputStream) theirs).getPosition());
                case 7 -> {
                    if (random.nextInt(10) == 0) {
                        assertThat(mine.readAllBytes()).isEqualTo(theirs.readAllBytes());
                    } else if (random.nextInt(10) == 0) {
                        ByteArrayOutputStream a = new ByteArrayOutputStream();
                        ByteArrayOutputStream b = new ByteArrayOutputStream();
                        assertThat(mine.transferTo(a)).isEqualTo(theirs.transferTo(b));
                        assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
                    } else {
                        int n = random.nextInt(30);
                        assertThat(mine.readNBytes(n)).isEqualTo(theirs.readNBytes(n));
                    }
                }
                default -> {
                    int size = ((SharedByteArrayInputStream) theirs).available()
                            + (int) ((SharedInputStream) theirs).getPosition();
                    long from = size == 0 ? 0 : random.nextInt(size);
                    long to = random.nextBoolean() ? -1 : from + random.nextInt((int) (size - from) + 1);
                    InputStream a = ((SharedInputStream) mine).newStream(from, to);
                    InputStream b = ((SharedInputStream) theirs).newStream(from, to);
                    assertThat(a).isInstanceOf(UnlockedSharedBytes.class);
                    compare(random, a, b, depth + 1);
                }
            }
        }
    }
}
