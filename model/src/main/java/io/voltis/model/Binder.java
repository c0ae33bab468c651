package io.voltis.model;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Binds a {@link YamlNode} tree to the model's records, reporting every problem it meets
 * instead of stopping at the first: unknown keys (with a "did you mean" hint), wrong types,
 * values outside an enum, missing required keys. A field with a problem is left at its
 * default, and a required one gets an empty placeholder, so list items keep the index they
 * have in the file and the rest of the file is still checked. The paths with problems are
 * kept ({@link Bound#failed}) so later checks do not report the same field twice.
 *
 * <p>Supported component types: String, boolean, Integer (a whole number written as a number),
 * {@link Duration}, {@link FileMode}, {@link Keyword} enums, records of these, {@code List<T>}
 * and {@code Map<String, String>}.
 */
final class Binder {

    private final String file;
    private final List<Problem> problems;
    private final Map<String, Location> locations = new HashMap<>();
    private final Set<String> failed = new HashSet<>();

    private Binder(String file, List<Problem> problems) {
        this.file = file;
        this.problems = problems;
    }

    /** Binds {@code root} to {@code type}; null when the root itself is unusable. */
    static <T extends Record> Bound<T> bind(Class<T> type, String file, YamlNode root, List<Problem> problems) {
        Binder binder = new Binder(file, problems);
        if (!(root instanceof YamlNode.Mapping)) {
            binder.expected(root, "", "a mapping");
            return null;
        }
        T value = type.cast(binder.bindRecord(type, root, ""));
        return new Bound<>(value, binder.locations, binder.failed);
    }

    /** Always returns a record; one bound from something other than a mapping is all placeholders. */
    private Object bindRecord(Class<?> type, YamlNode node, String path) {
        if (!(node instanceof YamlNode.Mapping mapping)) {
            expected(node, path, "a mapping");
            return placeholderRecord(type);
        }
        RecordComponent[] components = type.getRecordComponents();
        Map<String, RecordComponent> byName = new LinkedHashMap<>();
        for (RecordComponent c : components) {
            byName.put(c.getName(), c);
        }
        Map<String, YamlNode> given = new HashMap<>();
        for (YamlNode.Entry entry : mapping.entries()) {
            if (byName.containsKey(entry.key())) {
                given.put(entry.key(), entry.value());
                locations.put(join(path, entry.key()), entry.value().location());
            } else {
                report(entry.keyLocation(), join(path, entry.key()),
                        "unknown key" + Suggest.closest(entry.key(), byName.keySet())
                                .map(k -> " (did you mean '" + k + "'?)")
                                .orElse("; expected one of " + String.join(", ", byName.keySet())));
            }
        }
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            YamlNode value = given.get(c.getName());
            String childPath = join(path, c.getName());
            boolean required = c.isAnnotationPresent(Required.class);
            if (value != null && !isNull(value)) {
                args[i] = bindValue(c.getGenericType(), value, childPath);
            } else if (required) {
                report(value != null ? value.location() : mapping.location(), childPath,
                        value != null ? "must not be empty" : "required key is missing");
            }
            if (args[i] == null) {
                args[i] = required ? placeholder(c.getType()) : c.getType() == boolean.class ? Boolean.FALSE : null;
            }
        }
        if (path.isEmpty()) {
            locations.put("", mapping.location());
        } else {
            locations.putIfAbsent(path, mapping.location());
        }
        return construct(type, components, args);
    }

    /** A record of placeholders and defaults, standing for a list item that could not be bound. */
    private static Object placeholderRecord(Class<?> type) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            Class<?> t = components[i].getType();
            args[i] = components[i].isAnnotationPresent(Required.class) ? placeholder(t) : t == boolean.class ? Boolean.FALSE : null;
        }
        return construct(type, components, args);
    }

    /** The value a required component gets when the file gives none it can use. */
    private static Object placeholder(Class<?> type) {
        if (type == String.class) {
            return "";
        }
        if (type == List.class) {
            return List.of();
        }
        throw new IllegalStateException("no placeholder for required " + type);
    }

    private void report(Location where, String path, String message) {
        problems.add(Problem.at(file, where, path, message));
        failed.add(path);
    }

    private Object bindValue(Type type, YamlNode node, String path) {
        if (type instanceof ParameterizedType generic) {
            Class<?> raw = (Class<?>) generic.getRawType();
            Type[] parameters = generic.getActualTypeArguments();
            if (raw == List.class) {
                return bindList(parameters[0], node, path);
            }
            if (raw == Map.class) {
                return bindMap(node, path);
            }
        }
        Class<?> raw = (Class<?>) type;
        if (raw.isRecord() && raw != FileMode.class) {
            return bindRecord(raw, node, path);
        }
        if (!(node instanceof YamlNode.Scalar scalar)) {
            expected(node, path, raw == String.class ? "a string" : "a single value");
            return null;
        }
        if (raw == String.class) {
            return scalar.text();
        }
        if (raw == boolean.class || raw == Boolean.class) {
            if (scalar.kind() != YamlNode.Scalar.Kind.BOOLEAN) {
                report(node.location(), path, "'" + scalar.text() + "' is not true or false");
                return null;
            }
            return Boolean.valueOf(scalar.text());
        }
        if (raw.isEnum() && Keyword.class.isAssignableFrom(raw)) {
            return keyword(raw, scalar, path);
        }
        if (raw == Integer.class) {
            return wholeNumber(scalar, path);
        }
        try {
            if (raw == Duration.class) {
                return Durations.parse(scalar.text());
            }
            if (raw == FileMode.class) {
                return FileMode.parse(scalar.text());
            }
        } catch (IllegalArgumentException e) {
            report(node.location(), path, e.getMessage());
            return null;
        }
        throw new IllegalStateException("no binding for " + type);
    }

    /** A number without quotes, sign or fraction that fits an int (as JSON Schema's {@code integer} reads YAML). */
    private Integer wholeNumber(YamlNode.Scalar scalar, String path) {
        if (scalar.kind() == YamlNode.Scalar.Kind.NUMBER && scalar.text().matches("-?[0-9]{1,9}")) {
            return Integer.valueOf(scalar.text());
        }
        report(scalar.location(), path, "'" + scalar.text() + "' is not a whole number");
        return null;
    }

    private Object keyword(Class<?> raw, YamlNode.Scalar scalar, String path) {
        List<String> words = Arrays.stream(raw.getEnumConstants()).map(k -> ((Keyword) k).keyword()).toList();
        for (Object constant : raw.getEnumConstants()) {
            if (((Keyword) constant).keyword().equals(scalar.text())) {
                return constant;
            }
        }
        report(scalar.location(), path, "'" + scalar.text() + "' is not one of "
                + String.join("|", words) + Suggest.hint(scalar.text(), words));
        return null;
    }

    private List<Object> bindList(Type itemType, YamlNode node, String path) {
        if (!(node instanceof YamlNode.Sequence sequence)) {
            expected(node, path, "a list");
            return null;
        }
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < sequence.items().size(); i++) {
            YamlNode item = sequence.items().get(i);
            String itemPath = path + "[" + i + "]";
            locations.put(itemPath, item.location());
            Object value;
            if (isNull(item)) {
                report(item.location(), itemPath, "empty list item");
                value = itemType instanceof Class<?> c && c.isRecord() ? placeholderRecord(c) : "";
            } else {
                value = bindValue(itemType, item, itemPath);
            }
            // NOTE: items keep their index in the file, so checks' field paths match what people see.
            items.add(value == null ? "" : value);
        }
        return items;
    }

    private Map<String, String> bindMap(YamlNode node, String path) {
        if (!(node instanceof YamlNode.Mapping mapping)) {
            expected(node, path, "a mapping of names to values");
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (YamlNode.Entry entry : mapping.entries()) {
            String entryPath = join(path, entry.key());
            locations.put(entryPath, entry.keyLocation());
            if (entry.value() instanceof YamlNode.Scalar scalar && scalar.kind() != YamlNode.Scalar.Kind.NULL) {
                values.put(entry.key(), scalar.text());
            } else {
                expected(entry.value(), entryPath, "a single value (quote it if it is text)");
            }
        }
        return values;
    }

    private void expected(YamlNode node, String path, String what) {
        report(node.location(), path, "expected " + what + ", got " + node.describe());
    }

    private static boolean isNull(YamlNode node) {
        return node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.NULL;
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static Object construct(Class<?> type, RecordComponent[] components, Object[] args) {
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            Constructor<?> constructor = type.getDeclaredConstructor(types);
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName() + " from "
                    + Arrays.stream(args).map(String::valueOf).collect(Collectors.joining(", ")), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
