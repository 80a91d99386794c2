package io.plinth.impl.hub;

import java.util.List;
import java.util.Map;

/**
 * The hub's soft state, handed from a hub to its successor across a live update through the
 * bundle's data area. Not kept across restarts: owners publish it again when they start.
 *
 * @param groups     group → member instance ids, in joining order
 * @param attributes target ({@code instance:ID} / {@code group:NAME}) → attribute → value
 * @param names      unique name → owner first, then the queue
 */
record SoftState(Map<String, List<String>> groups, Map<String, Map<String, String>> attributes,
                 Map<String, List<String>> names) {
}
