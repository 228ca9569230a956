DROP TABLE forum_search;
DROP TABLE forum_notifications;
DROP TABLE post_revisions;
DROP TABLE posts;
DROP TABLE threads;
DROP TABLE forum_members;
DROP TABLE activities;
DROP TABLE communities;
