package io.voltis.sync.git;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The Git source an agent follows: the remote URL (file://, a plain path, https://, ssh://,
 * or scp-like {@code git@host:path}), the branch, the sub-path of the repo that holds
 * {@code devices/} and {@code workloads/} ("" for the root), the credentials, and {@code caFile}:
 * a PEM bundle of the certificate authorities trusted for https:// instead of the JVM's (null: the JVM's).
 */
public record GitSourceSpec(String url, String branch, String path, GitCredentials credentials, Path caFile) {

    /** With the JVM's certificate authorities for https://. */
    public GitSourceSpec(String url, String branch, String path, GitCredentials credentials) {
        this(url, branch, path, credentials, null);
    }

    public GitSourceSpec {
        Objects.requireNonNull(url, "url");
        branch = branch == null || branch.isBlank() ? "main" : branch;
        path = path == null ? "" : path.replaceAll("^/+|/+$", "");
        credentials = credentials == null ? GitCredentials.NONE : credentials;
    }

    /** The URL as status and logs may show it. */
    public String displayUrl() {
        return Redact.url(url);
    }

    @Override
    public String toString() {
        return "GitSourceSpec[url=" + displayUrl() + ", branch=" + branch + ", path=" + path + ", credentials="
                + credentials + (caFile == null ? "" : ", caFile=" + caFile) + "]";
    }
}
