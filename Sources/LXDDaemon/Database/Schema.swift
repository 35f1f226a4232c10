import LXDCore
import SQLite

/// The database schema as an ordered list of migrations; a database records each one it
/// applied in `schema_migrations`. Never edit a released migration: append a new one.
enum Schema {
    static let migrations: [Migration] = [
        Migration(
            version: 1,
            sql: """
                CREATE TABLE config (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                CREATE TABLE storage_pools (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    driver TEXT NOT NULL,
                    description TEXT NOT NULL DEFAULT '',
                    config TEXT NOT NULL DEFAULT '{}'
                );
                CREATE TABLE profiles (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    description TEXT NOT NULL DEFAULT '',
                    config TEXT NOT NULL DEFAULT '{}',
                    devices TEXT NOT NULL DEFAULT '{}'
                );
                CREATE TABLE images (
                    id INTEGER PRIMARY KEY,
                    fingerprint TEXT NOT NULL UNIQUE,
                    filename TEXT NOT NULL DEFAULT '',
                    size INTEGER NOT NULL,
                    public INTEGER NOT NULL DEFAULT 0,
                    auto_update INTEGER NOT NULL DEFAULT 0,
                    cached INTEGER NOT NULL DEFAULT 0,
                    architecture TEXT NOT NULL,
                    type TEXT NOT NULL DEFAULT 'container',
                    properties TEXT NOT NULL DEFAULT '{}',
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    uploaded_at TEXT NOT NULL,
                    last_used_at TEXT NOT NULL
                );
                CREATE TABLE image_aliases (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
                    description TEXT NOT NULL DEFAULT ''
                );
                CREATE TABLE instances (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL DEFAULT 'container',
                    architecture TEXT NOT NULL,
                    ephemeral INTEGER NOT NULL DEFAULT 0,
                    stateful INTEGER NOT NULL DEFAULT 0,
                    description TEXT NOT NULL DEFAULT '',
                    config TEXT NOT NULL DEFAULT '{}',
                    devices TEXT NOT NULL DEFAULT '{}',
                    created_at TEXT NOT NULL,
                    last_used_at TEXT NOT NULL
                );
                CREATE TABLE instance_profiles (
                    instance_id INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
                    profile_id INTEGER NOT NULL REFERENCES profiles (id),
                    position INTEGER NOT NULL,
                    PRIMARY KEY (instance_id, profile_id)
                );
                INSERT INTO profiles (name, description) VALUES ('default', 'Default LXD profile');
                """),
        Migration(
            version: 2,
            sql: """
                CREATE TABLE instance_snapshots (
                    id INTEGER PRIMARY KEY,
                    instance_id INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    stateful INTEGER NOT NULL DEFAULT 0,
                    description TEXT NOT NULL DEFAULT '',
                    architecture TEXT NOT NULL DEFAULT '',
                    ephemeral INTEGER NOT NULL DEFAULT 0,
                    config TEXT NOT NULL DEFAULT '{}',
                    devices TEXT NOT NULL DEFAULT '{}',
                    profiles TEXT NOT NULL DEFAULT '[]',
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    UNIQUE (instance_id, name)
                );
                """),
        Migration(
            version: 10,
            sql: """
                CREATE TABLE storage_volumes (
                    id INTEGER PRIMARY KEY,
                    pool_id INTEGER NOT NULL REFERENCES storage_pools (id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    type TEXT NOT NULL,
                    description TEXT NOT NULL DEFAULT '',
                    config TEXT NOT NULL DEFAULT '{}',
                    content_type TEXT NOT NULL DEFAULT 'filesystem',
                    created_at TEXT NOT NULL,
                    UNIQUE (pool_id, type, name)
                );
                CREATE TABLE storage_volume_snapshots (
                    id INTEGER PRIMARY KEY,
                    volume_id INTEGER NOT NULL REFERENCES storage_volumes (id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL DEFAULT '',
                    config TEXT NOT NULL DEFAULT '{}',
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL DEFAULT '',
                    UNIQUE (volume_id, name)
                );
                """),
        // 30-39: networking.
        Migration(
            version: 30,
            sql: """
                CREATE TABLE networks (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    description TEXT NOT NULL DEFAULT '',
                    config TEXT NOT NULL DEFAULT '{}'
                );
                """),
        // 40-49: remotes.
        Migration(
            version: 40,
            sql: """
                CREATE TABLE certificates (
                    id INTEGER PRIMARY KEY,
                    fingerprint TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL DEFAULT 'client',
                    name TEXT NOT NULL,
                    certificate TEXT NOT NULL,
                    restricted INTEGER NOT NULL DEFAULT 0,
                    projects TEXT NOT NULL DEFAULT '[]'
                );
                """),
        Migration(
            version: 41,
            sql: """
                CREATE TABLE images_source (
                    id INTEGER PRIMARY KEY,
                    image_id INTEGER NOT NULL UNIQUE REFERENCES images (id) ON DELETE CASCADE,
                    server TEXT NOT NULL,
                    protocol TEXT NOT NULL,
                    certificate TEXT NOT NULL DEFAULT '',
                    alias TEXT NOT NULL DEFAULT ''
                );
                """),
    ]
}
