package io.voltis.agent.packages.artifact;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Writes a response body to a file and computes its SHA-256 on the way, so a download is read
 * once. A failure to write locally completes the body with {@link LocalWriteException}, which
 * tells it apart from a network failure (no retry helps a full disk).
 */
final class HashingFileSubscriber implements HttpResponse.BodySubscriber<HashingFileSubscriber.Download> {

    /** A finished download: the file, its lower-case hex SHA-256 and its size. */
    record Download(Path file, String sha256, long bytes) {
    }

    /** The body could not be written to the local file. */
    static final class LocalWriteException extends IOException {
        private static final long serialVersionUID = 1L;

        LocalWriteException(String message, IOException cause) {
            super(message, cause);
        }
    }

    private final Path file;
    private final MessageDigest digest;
    private final CompletableFuture<Download> result = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private FileChannel channel;
    private long bytes;

    HashingFileSubscriber(Path file) {
        this.file = file;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        this.subscription = s;
        try {
            channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            s.cancel();
            result.completeExceptionally(new LocalWriteException("cannot write " + file + ": " + e.getMessage(), e));
            return;
        }
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        try {
            for (ByteBuffer buffer : buffers) {
                digest.update(buffer.duplicate());
                bytes += buffer.remaining();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        } catch (IOException e) {
            subscription.cancel();
            close();
            result.completeExceptionally(new LocalWriteException("cannot write " + file + ": " + e.getMessage(), e));
            return;
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable error) {
        close();
        result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        if (result.isDone()) {
            return;
        }
        try {
            channel.force(false);
        } catch (IOException e) {
            close();
            result.completeExceptionally(new LocalWriteException("cannot write " + file + ": " + e.getMessage(), e));
            return;
        }
        close();
        result.complete(new Download(file, HexFormat.of().formatHex(digest.digest()), bytes));
    }

    @Override
    public CompletionStage<Download> getBody() {
        return result;
    }

    private void close() {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing was promised about this file yet; the caller deletes it.
        }
    }
}
