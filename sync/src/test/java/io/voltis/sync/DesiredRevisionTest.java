package io.voltis.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.voltis.sync.DesiredRevision.Choice;
import io.voltis.sync.DesiredRevision.DeviceFilePin;
import io.voltis.sync.DesiredRevision.Source;
import io.voltis.sync.store.Pin;
import org.junit.jupiter.api.Test;

class DesiredRevisionTest {

    private final List<String> read = new ArrayList<>();

    private DesiredRevision.DeviceFile<RuntimeException> deviceFile(String revision) {
        return head -> {
            read.add(head);
            return Optional.ofNullable(revision).map(r -> new DeviceFilePin(r, "devices/edge-01.yaml"));
        };
    }

    @Test
    void cliPinThenDeviceFileThenHead() {
        assertThat(DesiredRevision.choose(Optional.empty(), "h", deviceFile(null)))
                .contains(new Choice(Source.HEAD, "h", null, null));
        Choice repo = DesiredRevision.choose(Optional.empty(), "h", deviceFile("v1")).orElseThrow();
        assertThat(repo.source()).isEqualTo(Source.DEVICE_FILE);
        assertThat(repo.spec()).isEqualTo("v1");
        assertThat(repo.pin().source()).isEqualTo(Pin.Source.REPO);
        assertThat(repo.file()).isEqualTo("devices/edge-01.yaml");
        assertThat(read).containsExactly("h", "h");

        Pin cli = new Pin("abc1234", Pin.Source.CLI, Instant.EPOCH);
        Choice pinned = DesiredRevision.choose(Optional.of(cli), "h", deviceFile("v1")).orElseThrow();
        assertThat(pinned.spec()).isEqualTo("abc1234");
        assertThat(pinned.pin()).isEqualTo(cli);
        assertThat(read).as("the device file is not read under a CLI pin").hasSize(2);
    }

    @Test
    void nothingFetchedAndNoPinIsNoChoice() {
        assertThat(DesiredRevision.choose(Optional.empty(), null, deviceFile("v1"))).isEmpty();
        assertThat(read).isEmpty();
    }
}
