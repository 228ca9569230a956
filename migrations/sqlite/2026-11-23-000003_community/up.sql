-- Community organizing (OSL): communities with their plan, and the activity
-- log; the partner forum: members, threads (discussions, consultations,
-- meetings), posts with their revisions, and digest notifications.

CREATE TABLE communities (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    diagnosis TEXT NOT NULL,
    resources TEXT NOT NULL,
    goals TEXT NOT NULL,
    stages TEXT NOT NULL,
    organizer_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX communities_municipality_idx ON communities (municipality);
CREATE INDEX communities_organizer_idx ON communities (organizer_id);

CREATE TABLE activities (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    community_id TEXT NOT NULL REFERENCES communities (id),
    day DATE NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    dimension TEXT NOT NULL,
    participants INTEGER NOT NULL,
    volunteers INTEGER NOT NULL,
    volunteer_hours INTEGER NOT NULL,
    partners TEXT NOT NULL,
    outcome TEXT NOT NULL,
    follow_up TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX activities_municipality_idx ON activities (municipality, day);
CREATE INDEX activities_community_idx ON activities (community_id, day);
CREATE INDEX activities_created_by_idx ON activities (created_by);

CREATE TABLE forum_members (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    active BOOLEAN NOT NULL,
    notify TEXT NOT NULL,
    calendar_token TEXT NOT NULL UNIQUE,
    joined_at TIMESTAMP NOT NULL
);
CREATE INDEX forum_members_municipality_idx ON forum_members (municipality);

CREATE TABLE threads (
    id TEXT PRIMARY KEY NOT NULL,
    municipality TEXT NOT NULL REFERENCES municipalities (teryt),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users (id),
    document TEXT,
    closes_on DATE,
    summary TEXT,
    meeting_at TIMESTAMP,
    place TEXT,
    agenda TEXT,
    minutes TEXT,
    participants TEXT NOT NULL,
    linked_type TEXT,
    linked_id TEXT,
    created_at TIMESTAMP NOT NULL,
    last_post_at TIMESTAMP NOT NULL
);
CREATE INDEX threads_municipality_idx ON threads (municipality, last_post_at);
CREATE INDEX threads_author_idx ON threads (author_id);

CREATE TABLE posts (
    id TEXT PRIMARY KEY NOT NULL,
    thread_id TEXT NOT NULL REFERENCES threads (id),
    author_id TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    hidden BOOLEAN NOT NULL,
    hidden_reason TEXT,
    hidden_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP
);
CREATE INDEX posts_thread_idx ON posts (thread_id, created_at);
CREATE INDEX posts_author_idx ON posts (author_id, created_at);
CREATE INDEX posts_hidden_by_idx ON posts (hidden_by);

CREATE TABLE post_revisions (
    id TEXT PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id),
    editor_id TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    replaced_at TIMESTAMP NOT NULL
);
CREATE INDEX post_revisions_post_idx ON post_revisions (post_id);
CREATE INDEX post_revisions_editor_idx ON post_revisions (editor_id);

CREATE TABLE forum_notifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    thread_id TEXT NOT NULL REFERENCES threads (id),
    kind TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX forum_notifications_user_idx ON forum_notifications (user_id, sent_at);
CREATE INDEX forum_notifications_thread_idx ON forum_notifications (thread_id);

-- Full-text search of posts and thread titles (SQLite: FTS5, kept by the
-- application on every write; PostgreSQL uses a GIN index instead).
CREATE VIRTUAL TABLE forum_search USING fts5(
    post_id UNINDEXED, thread_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2'
);
