package io.voltis.agent.api;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.RevisionRecord;

/**
 * One revision in {@code /api/v1/revisions}: the commit, what validation made of it, and its
 * applies, newest first ({@code lastApply} in the list, every apply kept in the detail).
 */
public record RevisionView(String sha, String author, Instant committedAt, String message, Instant firstSeen,
                           String validation, List<String> problems, boolean applied, ApplyView lastApply,
                           @JsonInclude(JsonInclude.Include.NON_NULL) List<ApplyView> applies,
                           @JsonInclude(JsonInclude.Include.NON_NULL) SignatureView signature,
                           @JsonInclude(JsonInclude.Include.NON_NULL) GateView gate) {

    /** What the health gate found of this revision once applied: {@code passed} or {@code failed} (why); absent when never judged. */
    public record GateView(String result, @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {

        static GateView of(RevisionRecord r) {
            return r.gate() == null ? null : new GateView(r.gate().name().toLowerCase(Locale.ROOT), r.gateReason());
        }
    }

    /**
     * What verifying the commit's signature found ({@code verify: warn|enforce}): {@code result}
     * is {@code Verified}, a trust reason word or {@code Accepted}; absent when never verified.
     */
    public record SignatureView(String result, @JsonInclude(JsonInclude.Include.NON_NULL) String signer,
                                @JsonInclude(JsonInclude.Include.NON_NULL) String message) {

        public static SignatureView of(RevisionRecord r) {
            return r.trust() == null ? null : new SignatureView(r.trust(), r.signer(), r.trustMessage());
        }
    }

    public record ApplyView(long id, Instant startedAt, Instant finishedAt, String result, String error) {

        public static ApplyView of(ApplyRecord a) {
            return new ApplyView(a.id(), a.startedAt(), a.finishedAt(), a.result().name().toLowerCase(Locale.ROOT),
                    a.error());
        }
    }

    /**
     * @param applies  applies of this revision, newest first
     * @param detail   whether to list every apply (the detail view) or only the last
     */
    public static RevisionView of(RevisionRecord r, String appliedSha, List<ApplyRecord> applies, boolean detail) {
        List<String> problems = r.problems() == null || r.problems().isBlank() ? List.of()
                : Arrays.stream(r.problems().split("\n")).filter(l -> !l.isBlank()).toList();
        List<ApplyView> views = applies.stream().map(ApplyView::of).toList();
        return new RevisionView(r.sha(), r.author(), r.committedAt(), r.message(), r.firstSeen(),
                r.validation().name().toLowerCase(Locale.ROOT), problems, r.sha().equals(appliedSha),
                views.isEmpty() ? null : views.get(0), detail ? views : null, SignatureView.of(r), GateView.of(r));
    }

    static List<ApplyRecord> appliesOf(String sha, Map<String, List<ApplyRecord>> bySha) {
        return bySha.getOrDefault(sha, List.of());
    }
}
