package io.voltis.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.voltis.sync.PollResult;
import io.voltis.sync.git.Reason;
import org.junit.jupiter.api.Test;

/** The next poll backs off by the failure's kind (decision 0030). */
class PollBackoffTest {

    @Test
    void waitingFailuresBackOff_genericOnesAndSuccessesDoNot() {
        assertThat(Agent.backsOff(new PollResult.Failed(Reason.GIT_UNREACHABLE, "down"))).isTrue();
        assertThat(Agent.backsOff(new PollResult.Failed(Reason.AUTHENTICATION_FAILED, "401"))).isTrue();
        assertThat(Agent.backsOff(new PollResult.Failed(Reason.DISK_FULL, "ENOSPC"))).isTrue();
        assertThat(Agent.backsOff(new PollResult.Failed(Reason.LOCAL_ERROR, "mirror"))).isFalse();
        assertThat(Agent.backsOff(new PollResult.Unchanged("a".repeat(40)))).isFalse();
    }
}
