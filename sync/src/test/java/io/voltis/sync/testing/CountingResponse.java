package io.voltis.sync.testing;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * A response whose body bytes are added to a counter before they are handed on, so the count is
 * complete by the time a client can have read them.
 */
final class CountingResponse extends HttpServletResponseWrapper {

    private final AtomicLong counter;
    private ServletOutputStream out;

    CountingResponse(HttpServletResponse response, AtomicLong counter) {
        super(response);
        this.counter = counter;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (out == null) {
            out = new CountingStream(super.getOutputStream(), counter);
        }
        return out;
    }

    private static final class CountingStream extends ServletOutputStream {
        private final ServletOutputStream delegate;
        private final AtomicLong counter;

        CountingStream(ServletOutputStream delegate, AtomicLong counter) {
            this.delegate = delegate;
            this.counter = counter;
        }

        @Override
        public void write(int b) throws IOException {
            counter.incrementAndGet();
            delegate.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            counter.addAndGet(len);
            delegate.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            delegate.flush();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            delegate.setWriteListener(listener);
        }
    }
}
