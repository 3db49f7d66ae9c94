-- The coordination page at any size (issue 19.6): it shows a few groups by name and the
-- groups with join requests waiting, so neither reads all of an organization's groups or
-- memberships. Index only.
--
-- A group list in name order (the page, GET /orgs/{id}/groups) reads the first rows of
-- this index instead of sorting every group of the organization.
CREATE INDEX groups_org_name ON groups (org_id, name, id);
-- Join requests waiting: a handful among every membership, counted per group without
-- reading its members.
CREATE INDEX group_members_pending ON group_members (group_id) WHERE status = 'pending';
