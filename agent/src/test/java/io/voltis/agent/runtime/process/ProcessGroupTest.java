package io.voltis.agent.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessGroupTest {

    @Test
    void statLine_isReadAfterTheLastParenthesisOfTheCommandName() {
        String stat = "4242 (we) 1 2 (ird) S 1 4200 4200 0 -1 4194560 120 0 0 0";

        assertThat(ProcessGroup.isLiveMemberOf(stat, 4200)).isTrue();
        assertThat(ProcessGroup.isLiveMemberOf(stat, 1)).isFalse();
    }

    @Test
    void zombie_isNoLongerAMember() {
        assertThat(ProcessGroup.isLiveMemberOf("4242 (sleep) Z 1 4200 4200 0", 4200)).isFalse();
    }

    @Test
    void members_listsTheTestsOwnProcessUnderItsGroup() throws Exception {
        long self = ProcessHandle.current().pid();
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
        long group = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);

        assertThat(ProcessGroup.members(group)).contains(self);
    }
}
