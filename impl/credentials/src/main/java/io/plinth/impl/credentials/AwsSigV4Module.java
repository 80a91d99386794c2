package io.plinth.impl.credentials;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
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

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.plinth.api.credentials.CredentialModule;
import io.plinth.api.credentials.Secrets;
import io.plinth.api.error.PlinthException;

import org.osgi.service.component.annotations.Component;

/**
 * {@code aws-sigv4}: AWS Signature Version 4 (HMAC-SHA256) request signing. Shareable
 * {@code accessKeyId}, {@code region}, {@code service}; secret field {@code secretAccessKey}.
 * {@code sign-request} takes {@code method}, {@code uri} (path and query as in the request line),
 * {@code headers} (one {@code Name:value} per line; all of them are signed), and {@code body}
 * (text) or {@code payloadHash}; the time is the request's {@code X-Amz-Date}, else the input
 * {@code date}, else now (then sent back as {@code x-amz-date}, to add to the request). It answers
 * {@code authorization}, {@code signature}, {@code canonicalRequest} and {@code stringToSign}. Only
 * the first derived key is made by the handle; the others are derived from it, as AWS defines.
 */
@Component(service = CredentialModule.class)
public final class AwsSigV4Module extends BuiltInModule {

    static final String SECRET = "secretAccessKey";
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final byte[] KEY_PREFIX = "AWS4".getBytes(StandardCharsets.US_ASCII);

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
        String payloadHash = inputs.containsKey("payloadHash") ? inputs.get("payloadHash")
                : Inputs.hex(Inputs.sha256(inputs.getOrDefault("body", "").getBytes(StandardCharsets.UTF_8)));
        int question = uri.indexOf('?');
        String signedHeaders = String.join(";", headers.keySet());
        StringBuilder canonical = new StringBuilder().append(method).append('\n')
                .append(canonicalPath(question < 0 ? uri : uri.substring(0, question))).append('\n')
                .append(canonicalQuery(question < 0 ? "" : uri.substring(question + 1))).append('\n');
        headers.forEach((name, value) -> canonical.append(name).append(':').append(value).append('\n'));
        canonical.append('\n').append(signedHeaders).append('\n').append(payloadHash);
        String canonicalRequest = canonical.toString();

        String day = amzDate.substring(0, 8);
        String scope = day + "/" + shareable.get("region") + "/" + shareable.get("service") + "/aws4_request";
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + Inputs.hex(Inputs.sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = secrets.hmacSha256(SECRET, KEY_PREFIX, day.getBytes(StandardCharsets.UTF_8));
        for (String part : List.of(shareable.get("region"), shareable.get("service"), "aws4_request")) {
            key = hmac(key, part);
        }
        String signature = Inputs.hex(hmac(key, stringToSign));
        Arrays.fill(key, (byte) 0);

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

    /** Consumes {@code key}: the next key of the chain, the previous one wiped. */
    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        } finally {
            Arrays.fill(key, (byte) 0);
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
