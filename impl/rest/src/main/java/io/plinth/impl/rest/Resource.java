package io.plinth.impl.rest;

import io.plinth.api.error.PlinthException;

/** What every resource shares: the platform, and a check for a missing request body. */
abstract class Resource {

    static <T> T required(T body) {
        if (body == null) {
            throw PlinthException.invalid("this request needs a JSON body");
        }
        return body;
    }
}
