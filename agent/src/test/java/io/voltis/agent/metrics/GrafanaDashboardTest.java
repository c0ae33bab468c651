package io.voltis.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.voltis.agent.reconcile.AgentStatus;
import io.voltis.agent.reconcile.Phase;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.sync.store.SourceState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** docs/grafana/voltis-fleet.json only queries series a real agent's scrape has. */
class GrafanaDashboardTest {

    static final Pattern METRIC = Pattern.compile("\\b((?:voltis|jvm|process)_[a-z_]+)\\b");

    static JsonNode dashboard;
    static Set<String> sampleNames;

    @BeforeAll
    static void load() throws Exception {
        Path file = Path.of(System.getProperty("voltis.projectRoot"), "docs", "grafana", "voltis-fleet.json");
        dashboard = JsonMapper.builder().build().readTree(Files.readString(file));

        Instant t = Instant.parse("2025-03-01T12:00:00Z");
        String sha = "3f2a9c1d4e5b6a7980112233445566778899aabb";
        AgentStatus status = new AgentStatus("dev1", "gw", Phase.SYNCED, sha, sha, null,
                new SourceState(t, t, sha, true, null, null, null), List.of(),
                List.of(new ServiceStatus("web", "running", ServiceStatus.Actual.RUNNING, true, 0, t, null, List.of(), null)),
                List.of(), null, t);
        try (AgentMetrics metrics = new AgentMetrics(() -> status, Clock.fixed(t, ZoneOffset.UTC))) {
            // the names Prometheus stores: histogram families only as _bucket, _count and _sum
            sampleNames = metrics.scrape().lines()
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .map(l -> l.split("[{ ]", 2)[0])
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void everyMetricTheDashboardQueries_isInAScrape() {
        List<String> queries = queries();
        Set<String> queried = new TreeSet<>();
        for (String q : queries) {
            Matcher m = METRIC.matcher(q);
            while (m.find()) {
                queried.add(m.group(1));
            }
        }

        assertThat(queries).hasSizeGreaterThanOrEqualTo(10);
        assertThat(queried).contains("voltis_phase", "voltis_applied_revision_info", "voltis_polls_total",
                "voltis_poll_duration_seconds_bucket", "voltis_service_up", "jvm_memory_used_bytes");
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(sampleNames);
        assertThat(missing).as("metrics the dashboard queries that no scrape has").isEmpty();
    }

    @Test
    void instanceVariable_multiWithAll_fromTheAgentsPhaseSeries() {
        JsonNode variable = dashboard.path("templating").path("list").get(0);

        assertThat(variable.path("name").asString()).isEqualTo("instance");
        assertThat(variable.path("multi").asBoolean()).isTrue();
        assertThat(variable.path("includeAll").asBoolean()).isTrue();
        assertThat(variable.path("definition").asString()).isEqualTo("label_values(voltis_phase, instance)");
    }

    @Test
    void dashboard_hasTitleUidEightPanels_andEveryDatasourceIsTheImportInput() {
        assertThat(dashboard.path("title").asString()).isNotBlank();
        assertThat(dashboard.path("uid").asString()).isNotBlank();
        assertThat(panels(dashboard.path("panels"))).hasSizeGreaterThanOrEqualTo(8);
        assertThat(dashboard.path("__inputs").get(0).path("name").asString()).isEqualTo("DS_PROMETHEUS");

        List<String> uids = new ArrayList<>();
        collect(dashboard, "datasource", n -> {
            if (n.path("type").asString().equals("prometheus")) {
                uids.add(n.path("uid").asString());
            }
        });
        assertThat(uids).isNotEmpty().containsOnly("${DS_PROMETHEUS}");
    }

    /** Every target's expr and every templating query, wherever panels are nested (rows). */
    static List<String> queries() {
        List<String> queries = new ArrayList<>();
        collect(dashboard.path("panels"), "expr", n -> queries.add(n.asString()));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            JsonNode query = variable.path("query");
            queries.add(query.isObject() ? query.path("query").asString() : query.asString());
            queries.add(variable.path("definition").asString());
        }
        return queries;
    }

    static List<JsonNode> panels(JsonNode list) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode p : list) {
            if (!p.path("type").asString().equals("row")) {
                panels.add(p);
            }
            panels.addAll(panels(p.path("panels")));
        }
        return panels;
    }

    static void collect(JsonNode node, String field, java.util.function.Consumer<JsonNode> found) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals(field)) {
                    found.accept(e.getValue());
                }
                collect(e.getValue(), field, found);
            });
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, field, found));
        }
    }
}
