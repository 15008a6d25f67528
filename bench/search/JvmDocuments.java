import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.tartarus.snowball.ext.EnglishStemmer;

/**
 * What a message's search document would cost built in the JVM instead of by PostgreSQL's to_tsvector and
 * search_pairs (bench/search/jvm_documents.sh runs it; docs/benchmarks.md has the figures). An experiment, not
 * Postroom's code: words are runs of letters and digits, lower-cased, PostgreSQL's English stop words dropped (each
 * still takes a position, as in PostgreSQL), letters-only words stemmed with the Snowball English stemmer (the
 * algorithm of PostgreSQL's english_stem), each lexeme with up to 256 positions below 16,384; the document written as
 * tsvector text, and the hashes of adjacent lexemes as search_pairs makes them.
 * Usage: java -cp lucene-analysis-common.jar:lucene-core.jar JvmDocuments.java bodies stopwords passes out
 */
public class JvmDocuments {

    public static void main(String[] args) throws Exception {
        String[] bodies = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8).split("\u0000");
        Set<String> stop = new HashSet<>(Files.readAllLines(Path.of(args[1])));
        int passes = Integer.parseInt(args[2]);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long checksum = 0;
        // Warm-up: three passes, as a server that has run a while has compiled its path.
        for (int p = 0; p < 3; p++) {
            for (String b : bodies) {
                checksum += document(b, stop).text.length();
            }
        }
        long start = cpu.getCurrentThreadCpuTime();
        for (int p = 0; p < passes; p++) {
            for (String b : bodies) {
                Document d = document(b, stop);
                checksum += d.text.length() + d.pairs.length;
            }
        }
        long ns = cpu.getCurrentThreadCpuTime() - start;
        System.out.printf(Locale.ROOT, "%d bodies x %d passes: %.1f µs of CPU per body (checksum %d)%n",
                bodies.length, passes, ns / 1000.0 / bodies.length / passes, checksum);
        if (args.length > 3) {
            StringBuilder out = new StringBuilder();
            for (String b : bodies) {
                out.append(document(b, stop).text).append('\u0000');
            }
            Files.writeString(Path.of(args[3]), out, StandardCharsets.UTF_8);
        }
    }

    record Document(String text, int[] pairs) {
    }

    static Document document(String body, Set<String> stop) {
        EnglishStemmer stemmer = new EnglishStemmer();
        Map<String, int[]> positions = new HashMap<>();
        List<String> byPosition = new ArrayList<>();
        int position = 0;
        int n = body.length();
        int i = 0;
        StringBuilder word = new StringBuilder();
        while (i < n) {
            while (i < n && !Character.isLetterOrDigit(body.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            word.setLength(0);
            boolean letters = true;
            while (i < n && Character.isLetterOrDigit(body.charAt(i))) {
                char c = body.charAt(i++);
                letters &= Character.isLetter(c);
                word.append(Character.toLowerCase(c));
            }
            position++;
            String w = word.toString();
            if (stop.contains(w)) {
                byPosition.add(null);
                continue;
            }
            String lexeme = w;
            if (letters) {
                stemmer.setCurrent(w);
                stemmer.stem();
                lexeme = stemmer.getCurrent();
            }
            byPosition.add(lexeme);
            if (position < 16384) {
                int[] p = positions.computeIfAbsent(lexeme, k -> new int[257]);
                if (p[0] < 256) {
                    p[++p[0]] = position;
                }
            }
        }
        StringBuilder text = new StringBuilder(body.length());
        for (Map.Entry<String, int[]> e : positions.entrySet()) {
            text.append('\'').append(e.getKey().replace("'", "''").replace("\\", "\\\\")).append("':");
            int[] p = e.getValue();
            for (int k = 1; k <= p[0]; k++) {
                if (k > 1) {
                    text.append(',');
                }
                text.append(p[k]);
            }
            text.append(' ');
        }
        int[] pairs = new int[Math.max(0, byPosition.size() - 1)];
        int count = 0;
        for (int k = 0; k + 1 < byPosition.size(); k++) {
            String a = byPosition.get(k);
            String b = byPosition.get(k + 1);
            if (a != null && b != null) {
                pairs[count++] = (a.hashCode() * 31 ^ b.hashCode() * 17) & 1048575;
            }
        }
        return new Document(text.toString(), Arrays.copyOf(pairs, count));
    }
}
