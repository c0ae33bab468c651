package io.voltis.sync.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jgit.errors.TransportException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailuresTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "http://127.0.0.1:40123/git/repo.git: Connection refused            | GIT_UNREACHABLE",
        "http://127.0.0.1:34017/r.git: not authorized                        | AUTHENTICATION_FAILED",
        "https://h/r.git: Authentication is required but no CredentialsProvider has been registered | AUTHENTICATION_FAILED",
        "ssh://git@h:2222/r.git: Server key did not validate                | HOST_KEY_REJECTED",
        "want 0123456789abcdef0123456789abcdef01234567 not valid             | REVISION_NOT_FOUND",
    })
    void classifiesByWhatJGitSays_notByNumbersInTheUrl(String message, Reason expected) {
        assertThat(Failures.translate(new TransportException(message), "fetch").reason()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "https://ops:hunter2@git.example/r.git: not authorized | https://git.example/r.git: not authorized",
    })
    void messages_loseTheirCredentials(String message, String shown) {
        assertThat(Failures.translate(new TransportException(message), "ls-remote").getMessage())
                .isEqualTo("ls-remote: " + shown + " (the server refused the credentials: check the user name and the"
                        + " password or token in git-password-file or VOLTIS_GIT_TOKEN; a rotated token needs the file"
                        + " updated and the agent restarted)");
    }
}
