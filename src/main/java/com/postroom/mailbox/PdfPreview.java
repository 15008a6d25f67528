package com.postroom.mailbox;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.imageio.ImageIO;

import jakarta.annotation.PreDestroy;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.IOUtils;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.springframework.stereotype.Component;

/**
 * The first page of a PDF attachment as a PNG, rendered on the server. The browser is never asked to open the PDF
 * itself (its viewer would run the file's own scripts and forms in a page of Postroom's origin); it gets a picture.
 * A PDF is untrusted input, so rendering is bounded: file size, page size in pixels, two at a time, a time limit, and
 * the parser's buffers go to temporary files rather than the heap.
 */
@Component
class PdfPreview {

    static final long MAX_PDF_BYTES = 25L * 1024 * 1024;
    static final int WIDTH = 480;
    private static final int MAX_HEIGHT = 1400;
    private static final long TIME_LIMIT_MS = 10_000;

    /** Why no preview could be made, in a sentence for the reader. */
    static final class NoPreview extends Exception {
        NoPreview(String message) {
            super(message);
        }
    }

    private final Semaphore slots = new Semaphore(2);
    private final ExecutorService renderers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pdf-preview");
        t.setDaemon(true);
        return t;
    });

    /** PNG bytes of page one of the PDF in {@code file}. */
    byte[] firstPage(Path file) throws NoPreview {
        try {
            if (java.nio.file.Files.size(file) > MAX_PDF_BYTES) {
                throw new NoPreview("This PDF is too large to preview; download it instead.");
            }
            if (!slots.tryAcquire(5, TimeUnit.SECONDS)) {
                throw new NoPreview("Previews are busy; try again in a moment.");
            }
        } catch (IOException e) {
            throw new NoPreview("The PDF could not be read.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoPreview("The preview was interrupted.");
        }
        // The slot is given back when the render ends, not when the caller stops waiting: a PDF that runs past the
        // time limit keeps its slot until it is done, so hostile files can never have more than two renders going.
        Future<byte[]> job;
        try {
            job = renderers.submit(() -> {
                try {
                    return render(file);
                } finally {
                    slots.release();
                }
            });
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
        try {
            return job.get(TIME_LIMIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            job.cancel(true);
            throw new NoPreview("This PDF took too long to render; download it instead.");
        } catch (ExecutionException e) {
            throw new NoPreview("This PDF could not be previewed (" + (e.getCause() instanceof IOException
                    ? "it is damaged or encrypted" : "it uses something the previewer does not support")
                    + "); download it instead.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.cancel(true);
            throw new NoPreview("The preview was interrupted.");
        }
    }

    private static byte[] render(Path file) throws IOException {
        try (PDDocument doc = Loader.loadPDF(file.toFile(), "", IOUtils.createTempFileOnlyStreamCache())) {
            if (doc.getNumberOfPages() == 0) {
                throw new IOException("no pages");
            }
            PDRectangle box = doc.getPage(0).getCropBox();
            float width = Math.max(box.getWidth(), 1);
            float height = Math.max(box.getHeight(), 1);
            float scale = Math.min(WIDTH / width, MAX_HEIGHT / height);
            BufferedImage image = new PDFRenderer(doc).renderImage(0, scale, ImageType.RGB);
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "png", png);
            return png.toByteArray();
        }
    }

    @PreDestroy
    void stop() {
        renderers.shutdownNow();
    }
}
