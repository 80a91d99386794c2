package io.plinth.impl.credentials;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.plinth.api.credentials.CredentialModule;
import io.plinth.api.credentials.Secrets;
import io.plinth.api.error.PlinthException;


/**
 * {@code aws-sigv4}: AWS Signature Version 4 (HMAC-SHA256) request signing. Shareable
 * {@code accessKeyId}, {@code region}, {@code service}; secret field {@code secretAccessKey}.
 * {@code sign-request} takes {@code method}, {@code uri} (path and query as in the request line),
 * {@code headers} (one {@code Name:value} per line; all of them are signed), and {@code body}
 * (text) or {@code payloadHash}; the time is the request's {@code X-Amz-Date}, else the input
 * {@code date}, else now (then sent back as {@code x-amz-date}, to add to the request). It answers
 * {@code authorization}, {@code signature}, {@code canonicalRequest} and {@code stringToSign}. The
 * time must be within 15 minutes of now (shareable {@code anyDate=true} lifts that, for test
 * vectors). For {@code service=s3} the path is signed as sent (S3 neither normalizes nor encodes
 * twice) and {@code x-amz-content-sha256} is added when missing. Only the first derived key is made
 * by the handle; the others are chained from it, as AWS defines, and wiped.
 */
public final class AwsSigV4Module extends BuiltInModule {

    static final String SECRET = "secretAccessKey";
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final byte[] KEY_PREFIX = "AWS4".getBytes(StandardCharsets.US_ASCII);
    private static final Duration DATE_WINDOW = Duration.ofMinutes(15);

    public AwsSigV4Module() {
        super("aws-sigv4", "sign-request");
    }

    @Override
    public void check(Map<String, String> shareable, Set<String> secretFields, Secrets secrets) {
        for (String field : List.of("accessKeyId", "region", "service")) {
            Inputs.required(shareable, field, "an aws-sigv4 credential");
        }
        requireSecretField(secretFields, SECRET);
    }

    @Override
    public Map<String, String> run(String operation, Map<String, String> shareable, Secrets secrets, Map<String, String> inputs) {
        String method = Inputs.required(inputs, "method", "signing a request").toUpperCase(Locale.ROOT);
        String uri = inputs.getOrDefault("uri", "/");
        Map<String, String> headers = canonicalHeaders(inputs.getOrDefault("headers", ""));
        String amzDate = headers.get("x-amz-date");
        boolean dateAdded = amzDate == null;
        if (dateAdded) {
            amzDate = inputs.getOrDefault("date", ZonedDateTime.now(ZoneOffset.UTC).format(AMZ_DATE));
            headers.put("x-amz-date", amzDate);
        }
        checkDate(amzDate, "true".equals(shareable.get("anyDate")));
        String payloadHash = inputs.containsKey("payloadHash") ? inputs.get("payloadHash")
                : Inputs.hex(Inputs.sha256(inputs.getOrDefault("body", "").getBytes(StandardCharsets.UTF_8)));
        boolean s3 = "s3".equals(shareable.get("service"));
        if (s3) {
            headers.putIfAbsent("x-amz-content-sha256", payloadHash); // S3 wants it, signed
        }
        int question = uri.indexOf('?');
        String path = question < 0 ? uri : uri.substring(0, question);
        String signedHeaders = String.join(";", headers.keySet());
        StringBuilder canonical = new StringBuilder().append(method).append('\n')
                .append(s3 ? s3Path(path) : canonicalPath(path)).append('\n')
                .append(canonicalQuery(question < 0 ? "" : uri.substring(question + 1))).append('\n');
        headers.forEach((name, value) -> canonical.append(name).append(':').append(value).append('\n'));
        canonical.append('\n').append(signedHeaders).append('\n').append(payloadHash);
        String canonicalRequest = canonical.toString();

        String day = amzDate.substring(0, 8);
        String scope = day + "/" + shareable.get("region") + "/" + shareable.get("service") + "/aws4_request";
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + Inputs.hex(Inputs.sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = secrets.hmacSha256(SECRET, KEY_PREFIX, day.getBytes(StandardCharsets.UTF_8));
        for (String part : List.of(shareable.get("region"), shareable.get("service"), "aws4_request", stringToSign)) {
            byte[] next = Inputs.hmacSha256(key, part.getBytes(StandardCharsets.UTF_8));
            Arrays.fill(key, (byte) 0);
            key = next;
        }
        String signature = Inputs.hex(key); // the last link of the chain: the signature, no key

        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("authorization", ALGORITHM + " Credential=" + shareable.get("accessKeyId") + "/" + scope
                + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
        outputs.put("signature", signature);
        outputs.put("canonicalRequest", canonicalRequest);
        outputs.put("stringToSign", stringToSign);
        if (dateAdded) {
            outputs.put("x-amz-date", amzDate);
        }
        return outputs;
    }

    /**
     * The request's time must parse, and be within {@link #DATE_WINDOW} of now unless the credential
     * says {@code anyDate=true} (test vectors): a caller cannot sign requests for later.
     */
    private static void checkDate(String amzDate, boolean anyDate) {
        LocalDateTime when;
        try {
            when = LocalDateTime.parse(amzDate, AMZ_DATE);
        } catch (DateTimeParseException e) {
            throw PlinthException.invalid("X-Amz-Date is yyyyMMdd'T'HHmmss'Z', not '" + amzDate + "'");
        }
        Duration off = Duration.between(when.toInstant(ZoneOffset.UTC), Instant.now()).abs();
        if (!anyDate && off.compareTo(DATE_WINDOW) > 0) {
            throw PlinthException.invalid("X-Amz-Date " + amzDate + " is " + off.toMinutes() + " min from now; at most "
                    + DATE_WINDOW.toMinutes() + " min is signed");
        }
    }

    /**
     * Lower-case names, sorted; values trimmed with runs of spaces made one; a name given twice
     * gets its values joined with commas in order; a line starting with blanks continues the
     * previous header's value.
     */
    private static Map<String, String> canonicalHeaders(String lines) {
        Map<String, List<String>> values = new TreeMap<>();
        List<String> last = null;
        for (String line : lines.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
                last.add(squeeze(line));
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw PlinthException.invalid("a header line is 'Name:value', not '" + line + "'");
            }
            last = values.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), name -> new ArrayList<>());
            last.add(squeeze(line.substring(colon + 1)));
        }
        Map<String, String> headers = new TreeMap<>();
        values.forEach((name, all) -> headers.put(name, String.join(",", all)));
        return headers;
    }

    private static String squeeze(String value) {
        return value.trim().replaceAll(" +", " ");
    }

    /** The path without empty, "." and ".." segments, each segment percent-encoded; a trailing slash kept. */
    private static String canonicalPath(String path) {
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                segments.pollLast();
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                segments.addLast(encode(segment));
            }
        }
        String joined = "/" + String.join("/", segments);
        boolean trailing = path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..");
        return trailing && !segments.isEmpty() ? joined + "/" : joined;
    }

    /** S3's canonical path: as sent, not normalized; characters encoded once, escapes already there kept. */
    private static String s3Path(String path) {
        StringBuilder canonical = new StringBuilder();
        for (String piece : path.split("(?=%[0-9A-Fa-f]{2})|(?<=%[0-9A-Fa-f]{2})", -1)) {
            if (piece.matches("%[0-9A-Fa-f]{2}")) {
                canonical.append(piece.toUpperCase(Locale.ROOT));
            } else {
                canonical.append(encode(piece).replace("%2F", "/"));
            }
        }
        return canonical.length() == 0 ? "/" : canonical.toString();
    }

    /** Parameters decoded, then each name and value percent-encoded, sorted by name, then value. */
    private static String canonicalQuery(String query) {
        List<String[]> parameters = new ArrayList<>();
        for (String pair : query.split("&")) {
            if (!pair.isEmpty()) {
                int equals = pair.indexOf('=');
                String name = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : pair.substring(equals + 1);
                parameters.add(new String[] {encode(decode(name)), encode(decode(value))});
            }
        }
        parameters.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        List<String> joined = new ArrayList<>();
        parameters.forEach(p -> joined.add(p[0] + "=" + p[1]));
        return String.join("&", joined);
    }

    /** RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 wants (form encoding, corrected). */
    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    /** Percent-decoding; a '+' stays a '+' (SigV4 queries are not form-encoded). */
    private static String decode(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw PlinthException.invalid("bad percent-encoding in the query: " + text);
        }
    }
}
