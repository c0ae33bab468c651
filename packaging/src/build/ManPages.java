import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.asciidoctor.Asciidoctor;
import org.asciidoctor.Attributes;
import org.asciidoctor.Options;
import org.asciidoctor.SafeMode;
import org.asciidoctor.log.Severity;

/**
 * Converts the AsciiDoc man pages that picocli's ManPageGenerator wrote into troff, with
 * Asciidoctor's manpage backend (AsciidoctorJ). Any warning from Asciidoctor fails the build.
 * Run by packaging/pom.xml with Java's source launcher:
 * {@code java -cp ASCIIDOCTORJ ManPages.java ADOC_DIR OUT_DIR MANSOURCE}.
 *
 * <p>Why not the asciidoctor-maven-plugin: its 3.x releases need Maven 3.8.8, and Debian 12's
 * Maven, which CI installs, is 3.8.7.
 */
public final class ManPages {

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: ManPages ADOC_DIR OUT_DIR MANSOURCE");
            System.exit(2);
        }
        File[] pages = new File(args[0]).listFiles((dir, name) -> name.endsWith(".adoc"));
        if (pages == null || pages.length == 0) {
            System.err.println("ManPages: no .adoc pages in " + args[0]);
            System.exit(1);
        }
        Arrays.sort(pages);
        List<String> problems = new ArrayList<>();
        try (Asciidoctor asciidoctor = Asciidoctor.Factory.create()) {
            asciidoctor.registerLogHandler(record -> {
                if (record.getSeverity().compareTo(Severity.WARN) >= 0) {
                    problems.add(record.getSeverity() + ": " + record.getMessage()
                            + (record.getCursor() == null ? "" : " (" + record.getCursor() + ")"));
                }
            });
            // Attributes given here win over those the generator wrote into each page.
            Options options = Options.builder()
                    .backend("manpage")
                    .safe(SafeMode.UNSAFE)
                    .toDir(new File(args[1]))
                    .mkDirs(true)
                    .attributes(Attributes.builder()
                            .attribute("mansource", args[2])
                            .attribute("manmanual", "Voltis Manual")
                            .build())
                    .build();
            for (File page : pages) {
                asciidoctor.convertFile(page, options);
            }
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("ManPages: " + p));
            System.exit(1);
        }
        System.out.println("ManPages: " + pages.length + " pages in " + args[1]);
    }
}
