package io.plinth.api.component;

/** An instance's life-cycle (seed §4.5.3). */
public enum InstanceState {
    /** Does not exist (yet). */
    NONE,
    /** Being prepared: code installed, configuration made; nothing runs yet. */
    PREPARING,
    /** Its code runs and initializes. */
    INITIALIZING,
    /** Initialized and serving. */
    AVAILABLE,
    /** Alive but not to be used for now (set by the instance itself). */
    UNAVAILABLE,
    /** Asked to stop; relinquishing resources. */
    STOPPING,
    /** Stopped; its resources are being released. */
    DESTROYING,
    /** Gone, with every trace cleared. */
    DESTROYED;

    /** True once the instance is on its way out. */
    public boolean ending() {
        return this == STOPPING || this == DESTROYING || this == DESTROYED;
    }
}
