package io.voltis.model;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads one YAML 1.2 document into a {@link YamlNode} tree, safely: the file size, the
 * nesting depth and the node count are bounded, bytes must be UTF-8, and aliases, anchors on
 * mappings and lists, and explicit tags are refused (so an alias bomb is rejected at its first
 * anchor, before anything grows). Duplicate keys are reported, all of them, with their places.
 *
 * <p>Jackson's YAML module is the tokenizer; this class only builds the tree.
 */
final class YamlReader {

    static final int MAX_BYTES = 1 << 20;
    static final int MAX_DEPTH = 32;
    static final int MAX_NODES = 100_000;

    // Duplicate keys are found in readMapping, where the field path is known.
    private static final YAMLMapper MAPPER = YAMLMapper.builder(YAMLFactory.builder()
                    .loadSettings(LoadSettings.builder().setCodePointLimit(MAX_BYTES).build())
                    .build())
            .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final String file;
    private final List<Problem> problems;
    private int nodes;

    private YamlReader(String file, List<Problem> problems) {
        this.file = file;
        this.problems = problems;
    }

    /**
     * Parses {@code bytes} as the file {@code file}. Returns the root node, or null after adding
     * to {@code problems} why the file could not be read. An empty document is an empty mapping.
     */
    static YamlNode read(String file, byte[] bytes, List<Problem> problems) {
        return new YamlReader(file, problems).read(bytes);
    }

    private YamlNode read(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            problems.add(new Problem(file, 0, 0, "", "file is " + bytes.length
                    + " bytes; the limit is " + MAX_BYTES));
            return null;
        }
        String text = decode(bytes);
        if (text == null) {
            return null;
        }
        try (JsonParser parser = MAPPER.createParser(new StringReader(text))) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new YamlNode.Mapping(List.of(), new Location(1, 1));
            }
            YamlNode root = readValue((YAMLParser) parser, 1, "");
            if (root == null) {
                return null;
            }
            if (parser.nextToken() != null) {
                problems.add(Problem.at(file, at(parser), "", "more than one YAML document; a file holds one"));
                return null;
            }
            return root;
        } catch (JacksonException e) {
            problems.add(syntaxProblem(e));
            return null;
        }
    }

    /** Reads the value at the parser's current token; null after reporting a problem. */
    private YamlNode readValue(YAMLParser parser, int depth, String path) {
        Location where = at(parser);
        if (++nodes > MAX_NODES) {
            problems.add(Problem.at(file, where, "", "more than " + MAX_NODES + " values in one file"));
            return null;
        }
        if (depth > MAX_DEPTH) {
            problems.add(Problem.at(file, where, "", "nested deeper than " + MAX_DEPTH + " levels"));
            return null;
        }
        if (parser.isCurrentAlias() || parser.getObjectId() != null) {
            problems.add(Problem.at(file, where, "", "YAML anchors and aliases (&, *) are not supported; write the value out"));
            return null;
        }
        String tag = parser.getRawTag();
        if (tag != null) {
            problems.add(Problem.at(file, where, "", "YAML tags (" + tag + ") are not supported"));
            return null;
        }
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> readMapping(parser, depth, where, path);
            case START_ARRAY -> readSequence(parser, depth, where, path);
            case VALUE_NULL -> new YamlNode.Scalar("", YamlNode.Scalar.Kind.NULL, where);
            case VALUE_TRUE, VALUE_FALSE -> new YamlNode.Scalar(parser.getString(), YamlNode.Scalar.Kind.BOOLEAN, where);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new YamlNode.Scalar(parser.getString(), YamlNode.Scalar.Kind.NUMBER, where);
            default -> new YamlNode.Scalar(parser.getString(), YamlNode.Scalar.Kind.STRING, where);
        };
    }

    private YamlNode readMapping(YAMLParser parser, int depth, Location where, String path) {
        List<YamlNode.Entry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String key = parser.currentName();
            Location keyAt = at(parser);
            parser.nextToken();
            String keyPath = path.isEmpty() ? key : path + "." + key;
            YamlNode value = readValue(parser, depth + 1, keyPath);
            if (value == null) {
                return null;
            }
            if (seen.add(key)) {
                entries.add(new YamlNode.Entry(key, keyAt, value));
            } else {
                // reported, and the first value kept, so the rest of the file is still checked
                problems.add(Problem.at(file, keyAt, keyPath, "duplicate key"));
            }
        }
        return new YamlNode.Mapping(entries, where);
    }

    private YamlNode readSequence(YAMLParser parser, int depth, Location where, String path) {
        List<YamlNode> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            YamlNode item = readValue(parser, depth + 1, path + "[" + items.size() + "]");
            if (item == null) {
                return null;
            }
            items.add(item);
        }
        return new YamlNode.Sequence(items, where);
    }

    private String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            String text = decoder.decode(ByteBuffer.wrap(bytes)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            problems.add(Problem.at(file, firstBadByte(bytes), "", "not valid UTF-8"));
            return null;
        }
    }

    /** Line and column of the first byte that is not valid UTF-8. */
    static Location firstBadByte(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        decoder.decode(in, out, true);
        out.flip();
        int line = 1;
        int column = 1;
        while (out.hasRemaining()) {
            if (out.get() == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new Location(line, column);
    }

    private Problem syntaxProblem(JacksonException e) {
        Throwable cause = e.getCause();
        if (cause instanceof MarkedYamlEngineException marked && marked.getProblemMark().isPresent()) {
            var mark = marked.getProblemMark().get();
            String context = marked.getContext() == null ? "" : marked.getContext() + ": ";
            return new Problem(file, mark.getLine() + 1, mark.getColumn() + 1, "",
                    "YAML syntax: " + context + oneLine(marked.getProblem()));
        }
        TokenStreamLocation where = e.getLocation();
        int line = where == null ? 0 : where.getLineNr();
        int column = where == null ? 0 : where.getColumnNr();
        return new Problem(file, Math.max(line, 0), Math.max(column, 0), "",
                "YAML: " + oneLine(e.getOriginalMessage()));
    }

    static String oneLine(String message) {
        return message == null ? "unreadable" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static Location at(JsonParser parser) {
        TokenStreamLocation where = parser.currentTokenLocation();
        return new Location(where.getLineNr(), where.getColumnNr());
    }
}
