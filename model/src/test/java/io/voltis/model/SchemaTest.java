package io.voltis.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Keeps docs/schema/*.schema.json, the JSON Schemas editors check device and workload files
 * with as people type, in step with the model: by reflection (every record is an object with
 * exactly its components, the required ones, no others, enums with exactly the keywords) and
 * by a real validator (the example repo passes; each fixture under {@code /schema} is accepted
 * or refused by the schema and the model alike).
 */
class SchemaTest {

    private static final Path ROOT = Path.of(System.getProperty("voltis.projectRoot", "..")).toAbsolutePath().normalize();
    private static final Path EXAMPLES = ROOT.resolve("examples/repo-layout");
    private static final Path FIXTURES = resource("/schema");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private static final JsonNode DEVICE = readJson(ROOT.resolve("docs/schema/device.schema.json"));
    private static final JsonNode WORKLOAD = readJson(ROOT.resolve("docs/schema/workload.schema.json"));
    private static final Schema DEVICE_SCHEMA = REGISTRY.getSchema(DEVICE);
    private static final Schema WORKLOAD_SCHEMA = REGISTRY.getSchema(WORKLOAD);

    /** Every record a file binds to, with the schema object found for it by walking from the two file types. */
    private static final Map<Class<?>, Described> DESCRIBED = walk();

    /** A schema object and the schema document its {@code $ref}s resolve in. */
    private record Described(JsonNode document, JsonNode schema) {
    }

    // --- the schema's shape follows the records ---------------------------------------------

    @Test
    void walk_findsEveryRecordThatAFileBindsTo() {
        assertThat(DESCRIBED.keySet()).containsExactlyInAnyOrder(DeviceSpec.class, WorkloadSpec.class, FileSpec.class,
                PackageSpec.class, ServiceSpec.class, HealthCheck.class, JobSpec.class, GateSpec.class, RolloutSpec.class,
                RolloutSpec.Wave.class);
    }

    static Stream<Class<?>> records() {
        return DESCRIBED.keySet().stream();
    }

    @ParameterizedTest
    @MethodSource("records")
    void properties_areTheRecordComponents(Class<?> type) {
        assertThat(schema(type).path("properties").propertyNames())
                .containsExactlyInAnyOrderElementsOf(names(type, c -> true));
    }

    @ParameterizedTest
    @MethodSource("records")
    void required_isTheRequiredComponents(Class<?> type) {
        assertThat(schema(type).path("required").values()).extracting(JsonNode::stringValue)
                .containsExactlyInAnyOrderElementsOf(names(type, c -> c.isAnnotationPresent(Required.class)));
    }

    @ParameterizedTest
    @MethodSource("records")
    void additionalProperties_areRefused(Class<?> type) {
        assertThat(schema(type).get("additionalProperties")).isEqualTo(BooleanNode.FALSE);
    }

    /** The binder reads a key written with no value as left out; a required key must have one. */
    @ParameterizedTest
    @MethodSource("records")
    void null_isAllowedExactlyForOptionalComponents(Class<?> type) {
        JsonNode document = DESCRIBED.get(type).document();
        assertThat(names(type, c -> admitsNull(document, property(type, c))))
                .containsExactlyElementsOf(names(type, c -> !c.isAnnotationPresent(Required.class)));
    }

    @ParameterizedTest
    @MethodSource("records")
    void kinds_followTheComponentTypes(Class<?> type) {
        JsonNode document = DESCRIBED.get(type).document();
        Map<String, String> model = new LinkedHashMap<>();
        Map<String, String> schema = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            model.put(c.getName(), modelKind(type, c));
            schema.put(c.getName(), schemaKind(document, property(type, c)));
        }
        assertThat(schema).isEqualTo(model);
    }

    @Test
    void enums_areExactlyTheKeywords() {
        Map<String, List<String>> model = new TreeMap<>();
        Map<String, List<String>> schema = new TreeMap<>();
        DESCRIBED.keySet().forEach(type -> {
            for (RecordComponent c : type.getRecordComponents()) {
                String at = type.getSimpleName() + "." + c.getName();
                if (isKeyword(c.getType())) {
                    model.put(at, Arrays.stream(c.getType().getEnumConstants()).map(k -> ((Keyword) k).keyword()).toList());
                }
                JsonNode values = property(type, c).get("enum");
                if (values != null) {
                    schema.put(at, values.values().stream().filter(v -> !v.isNull()).map(JsonNode::stringValue).toList());
                }
            }
        });
        // The one text field the model accepts a single value of (WorkloadChecks).
        model.put("WorkloadSpec.apiVersion", List.of(WorkloadSpec.API_VERSION));

        assertThat(schema).isEqualTo(model);
    }

    // --- the schema's patterns judge values as the model does -------------------------------

    static Stream<Arguments> values() {
        return Stream.of(
                values("duration", "500ms", "5s", "2m", "1h30m", "1d", "1h0m", "999999999ms", "0s", "0h0m", "5", "5 s",
                        "1.5s", "s", "", "1h 30m", "5S", "-5s", "1000000000s", "5s\n"),
                values("window", "0s", "30s", "2m", "1h30m", "0h0m", "5", "-5s", "s", "1.5m"),
                values("mode", "0644", "644", "0o640", "4755", "0o7777", "0986", "64", "07777a", "00644", "0o64", "0x1A4",
                        "0O644", "+644", "rw-r--r--"),
                values("objectName", "web", "web.v2", "0-x_y", "a".repeat(63), "a".repeat(64), "Web", "-web", ".web", "a..b",
                        "a b", "w\u00e9b", ""),
                values("targetPath", "etc/app.conf", "/etc/app.conf", "etc/...", "./a", "a/./b", "..a", "a..", "", "/", ".",
                        "./", "/./.", "..", "../a", "a/../b", "a/..", "a/\u0000b"))
                .flatMap(s -> s);
    }

    private static Stream<Arguments> values(String definition, String... texts) {
        return Arrays.stream(texts).map(text -> Arguments.of(definition, text));
    }

    @ParameterizedTest(name = "{0} \"{1}\"")
    @MethodSource("values")
    void patterns_agreeWithTheModel(String definition, String text) {
        Schema schema = REGISTRY.getSchema(WORKLOAD.at("/$defs/" + definition));

        List<Error> errors = schema.validate(JsonNodeFactory.instance.stringNode(text));

        assertThat(errors.isEmpty()).as("schema accepts '%s' (%s)", text, errors).isEqualTo(modelAccepts(definition, text));
    }

    private static boolean modelAccepts(String definition, String text) {
        try {
            return switch (definition) {
                case "duration" -> !Durations.parse(text).isZero();
                case "window" -> Durations.parse(text) != null;
                case "mode" -> FileMode.parse(text) != null;
                case "objectName" -> Names.check(Names.OBJECT, text, "name") == null;
                case "targetPath" -> PathGuard.targetProblem(text) == null;
                default -> throw new IllegalArgumentException(definition);
            };
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    // --- real files, judged by a real validator and by the model -----------------------------

    static Stream<Path> exampleFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> devices = Files.list(EXAMPLES.resolve("devices"));
             Stream<Path> workloads = Files.list(EXAMPLES.resolve("workloads"))) {
            devices.filter(p -> p.toString().endsWith(".yaml")).forEach(files::add);
            workloads.map(p -> p.resolve("workload.yaml")).filter(Files::isRegularFile).forEach(files::add);
        }
        assertThat(files).as("example files under %s", EXAMPLES).hasSizeGreaterThanOrEqualTo(5);
        return files.stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("exampleFiles")
    void exampleFile_isValid(Path file) {
        Schema schema = file.getParent().getFileName().toString().equals("devices") ? DEVICE_SCHEMA : WORKLOAD_SCHEMA;

        assertThat(validate(schema, file)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"every-key", "nulls"})
    void validWorkload_isAcceptedBySchemaAndModel(String name) {
        assertThat(validate(WORKLOAD_SCHEMA, FIXTURES.resolve("workloads/" + name + "/workload.yaml"))).isEmpty();
        assertThat(loadWorkload(name)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown-key                     | /services/0                 | services[0].restrat
            restart-sometimes               | /services/0/restart         | services[0].restart
            api-version                     | /apiVersion                 | apiVersion
            required-missing                | /jobs/0                     | jobs[0].run
            health-two-probes               | /services/0/health          | services[0].health
            health-no-probe                 | /services/0/health          | services[0].health
            health-tcp-no-port              | /services/0/health/tcp      | services[0].health.tcp
            health-http-no-scheme           | /services/0/health/http     | services[0].health.http
            job-no-trigger                  | /jobs/0                     | jobs[0]
            job-when-and-schedule           | /jobs/0                     | jobs[0]
            package-manager-and-url         | /packages/0                 | packages[0]
            package-neither-manager-nor-url | /packages/0                 | packages[0]
            package-url-without-sha256      | /packages/0                 | packages[0].sha256
            package-manager-with-extract-to | /packages/0                 | packages[0].extractTo
            package-sha256-not-hex          | /packages/0/sha256          | packages[0].sha256
            package-name-invalid            | /packages/0/name            | packages[0].name
            mode-not-octal                  | /files/0/mode               | files[0].mode
            template-yes                    | /files/0/template           | files[0].template
            source-absolute                 | /files/0/source             | files[0].source
            target-dotdot                   | /files/0/target             | files[0].target
            target-no-name                  | /files/0/target             | files[0].target
            duration-words                  | /jobs/0/timeout             | jobs[0].timeout
            duration-zero                   | /services/0/health/interval | services[0].health.interval
            health-failures-zero            | /services/0/health/failures | services[0].health.failures
            health-failures-text            | /services/0/health/failures | services[0].health.failures
            service-name-uppercase          | /services/0/name            | services[0].name
            job-name-dotdot                 | /jobs/0/name                | jobs[0].name
            depends-on-not-a-name           | /services/0/dependsOn/0     | services[0].dependsOn[0]
            command-empty                   | /services/0/command         | services[0].command
            command-null-item               | /services/0/command/1       | services[0].command[1]
            command-not-a-list              | /services/0/command         | services[0].command
            env-name-dash                   | /services/0/env             | services[0].env.LOG-LEVEL
            env-value-list                  | /jobs/0/env/PORTS           | jobs[0].env.PORTS
            gate-window-words               | /gate/window                | gate.window
            gate-on-failure-retry           | /gate/onFailure             | gate.onFailure
            gate-attempts-zero              | /gate/attempts              | gate.attempts
            gate-check-no-probe             | /gate/checks/0              | gate.checks[0]
            rollout-percent-zero            | /rollout/waves/0/percent    | rollout.waves[0].percent
            rollout-percent-fraction        | /rollout/waves/0/percent    | rollout.waves[0].percent
            rollout-after-words             | /rollout/waves/0/after      | rollout.waves[0].after
            rollout-wave-name-upper         | /rollout/waves/0/name       | rollout.waves[0].name
            rollout-wave-unknown-key        | /rollout/waves/0            | rollout.waves[0].precent
            """)
    void invalidWorkload_isRefusedBySchemaAndModelAtTheSamePlace(String name, String schemaAt, String modelAt) {
        List<Error> errors = validate(WORKLOAD_SCHEMA, FIXTURES.resolve("workloads/" + name + "/workload.yaml"));
        List<Problem> problems = loadWorkload(name);

        assertThat(errors).as("schema errors %s", errors).extracting(e -> e.getInstanceLocation().toString()).contains(schemaAt);
        assertThat(problems).as("model problems %s", problems).extracting(Problem::field).contains(modelAt);
    }

    @ParameterizedTest
    @ValueSource(strings = {"every-key", "pinned-digits", "nulls"})
    void validDevice_isAcceptedBySchemaAndModel(String name) {
        assertThat(validate(DEVICE_SCHEMA, FIXTURES.resolve("devices/" + name + ".yaml"))).isEmpty();
        assertThat(loadDevice(name)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown-key       | ''          | pin
            workload-missing  | ''          | workload
            workload-dotdot   | /workload   | workload
            revision-invalid  | /revision   | revision
            var-name-digit    | /vars       | vars.1st
            var-value-mapping | /vars/mqtt  | vars.mqtt
            label-value-null  | /labels/site | labels.site
            """)
    void invalidDevice_isRefusedBySchemaAndModelAtTheSamePlace(String name, String schemaAt, String modelAt) {
        List<Error> errors = validate(DEVICE_SCHEMA, FIXTURES.resolve("devices/" + name + ".yaml"));
        List<Problem> problems = loadDevice(name);

        assertThat(errors).as("schema errors %s", errors).extracting(e -> e.getInstanceLocation().toString()).contains(schemaAt);
        assertThat(problems).as("model problems %s", problems).extracting(Problem::field).contains(modelAt);
    }

    // --- helpers ------------------------------------------------------------------------------

    private static List<Error> validate(Schema schema, Path yamlFile) {
        try {
            return schema.validate(YAML.readTree(Files.readString(yamlFile)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Problem> loadWorkload(String name) {
        return new WorkloadLoader(CronCheck.LENIENT).load(new DirectoryTree(FIXTURES), name).problems();
    }

    private static List<Problem> loadDevice(String name) {
        List<Problem> problems = new ArrayList<>();
        DeviceLoader.load(new DirectoryTree(FIXTURES), "devices/" + name + ".yaml", problems);
        return problems;
    }

    /** Walks from the two file types through record components, and lists of records, to every record. */
    private static Map<Class<?>, Described> walk() {
        Map<Class<?>, Described> found = new LinkedHashMap<>();
        Deque<Map.Entry<Class<?>, Described>> todo = new ArrayDeque<>();
        todo.add(Map.entry(DeviceSpec.class, new Described(DEVICE, DEVICE)));
        todo.add(Map.entry(WorkloadSpec.class, new Described(WORKLOAD, WORKLOAD)));
        while (!todo.isEmpty()) {
            Map.Entry<Class<?>, Described> next = todo.poll();
            if (found.putIfAbsent(next.getKey(), next.getValue()) != null) {
                continue;
            }
            JsonNode document = next.getValue().document();
            JsonNode properties = next.getValue().schema().path("properties");
            for (RecordComponent c : next.getKey().getRecordComponents()) {
                Type type = c.getGenericType();
                boolean list = listElement(type) != null;
                Class<?> bound = raw(list ? listElement(type) : type);
                if (bindsFromMapping(bound) && properties.has(c.getName())) {
                    JsonNode property = nonNull(document, properties.get(c.getName()));
                    JsonNode object = list ? resolve(document, property.path("items")) : property;
                    todo.add(Map.entry(bound, new Described(document, object)));
                }
            }
        }
        return found;
    }

    /** Records are written as mappings, except FileMode, which is written as one value (as in Binder). */
    private static boolean bindsFromMapping(Class<?> type) {
        return type.isRecord() && type != FileMode.class;
    }

    private static boolean isKeyword(Class<?> type) {
        return type.isEnum() && Keyword.class.isAssignableFrom(type);
    }

    private static Type listElement(Type type) {
        return type instanceof ParameterizedType p && p.getRawType() == List.class ? p.getActualTypeArguments()[0] : null;
    }

    private static Class<?> raw(Type type) {
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return type instanceof Class<?> c ? c : Object.class;
    }

    private static String modelKind(Class<?> owner, RecordComponent c) {
        Class<?> type = c.getType();
        if (owner == WorkloadSpec.class && c.getName().equals("apiVersion")) {
            return "keyword";
        }
        if (type == List.class) {
            return "list";
        }
        if (type == Map.class) {
            return "map";
        }
        if (type == boolean.class) {
            return "boolean";
        }
        if (type == Integer.class) {
            return "integer";
        }
        if (type == String.class || type == Duration.class) {
            return "text";
        }
        if (type == FileMode.class) {
            return "mode";
        }
        if (isKeyword(type)) {
            return "keyword";
        }
        return bindsFromMapping(type) ? "mapping" : "unknown " + type;
    }

    private static String schemaKind(JsonNode document, JsonNode property) {
        JsonNode schema = nonNull(document, property);
        if (schema.has("enum")) {
            return "keyword";
        }
        Set<String> types = new TreeSet<>();
        JsonNode type = schema.path("type");
        (type.isArray() ? type.values().stream() : Stream.of(type)).map(JsonNode::asString).forEach(types::add);
        types.remove("null");
        if (types.equals(Set.of("array"))) {
            return "list";
        }
        if (types.equals(Set.of("object"))) {
            return schema.has("patternProperties") ? "map" : "mapping";
        }
        if (types.equals(Set.of("boolean"))) {
            return "boolean";
        }
        if (types.equals(Set.of("integer"))) {
            return "integer";
        }
        if (types.equals(Set.of("integer", "string"))) {
            return "mode";
        }
        if (types.contains("string") && Set.of("string", "number", "boolean").containsAll(types)) {
            return "text";
        }
        return "unknown " + types;
    }

    private static JsonNode schema(Class<?> type) {
        return DESCRIBED.get(type).schema();
    }

    private static JsonNode property(Class<?> type, RecordComponent c) {
        return schema(type).path("properties").path(c.getName());
    }

    private static List<String> names(Class<?> type, Predicate<RecordComponent> which) {
        return Arrays.stream(type.getRecordComponents()).filter(which).map(RecordComponent::getName).toList();
    }

    /** Follows {@code $ref}s (all local: "#/$defs/..."). */
    private static JsonNode resolve(JsonNode document, JsonNode schema) {
        JsonNode current = schema;
        while (current.has("$ref")) {
            String ref = current.get("$ref").stringValue();
            assertThat(ref).startsWith("#/");
            current = document.at(ref.substring(1));
        }
        return current;
    }

    /** The schema a non-null value meets: an {@code anyOf} of one schema and {@code {"type": "null"}} is that schema. */
    private static JsonNode nonNull(JsonNode document, JsonNode schema) {
        JsonNode resolved = resolve(document, schema);
        if (!resolved.has("anyOf")) {
            return resolved;
        }
        List<JsonNode> others = resolved.get("anyOf").values().stream()
                .filter(branch -> !branch.equals(JSON.createObjectNode().put("type", "null")))
                .toList();
        assertThat(others).as("anyOf branches besides null").hasSize(1);
        return resolve(document, others.get(0));
    }

    private static boolean admitsNull(JsonNode document, JsonNode schema) {
        JsonNode resolved = resolve(document, schema);
        JsonNode type = resolved.path("type");
        return (type.isArray() ? type.values().stream() : Stream.of(type)).anyMatch(t -> "null".equals(t.asString()))
                || resolved.path("enum").values().stream().anyMatch(JsonNode::isNull)
                || resolved.path("anyOf").values().stream().anyMatch(branch -> admitsNull(document, branch));
    }

    private static JsonNode readJson(Path file) {
        return JSON.readTree(file);
    }

    private static Path resource(String name) {
        try {
            return Path.of(SchemaTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
