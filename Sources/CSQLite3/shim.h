#include <sqlite3.h>

// sqlite3_db_config is variadic, which Swift cannot call; these name the settings swift-ca uses.

/// Closing the last connection does not checkpoint the WAL, so that a command that writes fsyncs only for its
/// commit; later commits checkpoint as the WAL grows.
static inline int csqlite3_skip_checkpoint_on_close(sqlite3 *database) {
    return sqlite3_db_config(database, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

/// SQLITE_TRANSIENT: SQLite copies a bound text or blob before the call returns.
static inline sqlite3_destructor_type csqlite3_transient(void) {
    return SQLITE_TRANSIENT;
}
