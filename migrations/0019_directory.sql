-- Issue 17, point 1: a resource directory modelled on HSDS 3.0 (Open Referral).
--
-- Every entry is curated by one coord organization (org_id) and carries its provenance:
-- where it came from (source, external_id: the id in that source's file), a hash of its
-- content (a re-import that changes nothing rewrites nothing), when it was last verified,
-- and whether the source still holds it (active: a full re-import marks what a file no longer
-- holds inactive instead of deleting it). `id` is derived from (org, source, table,
-- external id), so a file's references resolve without lookups. `data` keeps the record's
-- other HSDS fields as the source gave them; the typed columns are what coord reads.

CREATE TABLE directory_organizations (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source        text NOT NULL,
    external_id   text NOT NULL,
    content_hash  text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    last_verified date,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    name          text NOT NULL,
    description   text,
    website       text,
    email         text,
    data          jsonb NOT NULL DEFAULT '{}',
    UNIQUE (org_id, source, external_id)
);

CREATE TABLE directory_services (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source          text NOT NULL,
    external_id     text NOT NULL,
    content_hash    text NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    last_verified   date,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    organization_id uuid NOT NULL REFERENCES directory_organizations (id) ON DELETE CASCADE,
    name            text NOT NULL,
    description     text,
    status          text NOT NULL DEFAULT 'active',
    url             text,
    email           text,
    minimum_age     numeric,
    maximum_age     numeric,
    -- A coord group this service is (a support group run in coord): set by a coordinator.
    group_id        uuid REFERENCES groups (id) ON DELETE SET NULL,
    data            jsonb NOT NULL DEFAULT '{}',
    UNIQUE (org_id, source, external_id)
);
CREATE INDEX directory_services_organization ON directory_services (organization_id);

CREATE TABLE directory_locations (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source          text NOT NULL,
    external_id     text NOT NULL,
    content_hash    text NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    last_verified   date,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    organization_id uuid REFERENCES directory_organizations (id) ON DELETE CASCADE,
    name            text,
    description     text,
    location_type   text NOT NULL DEFAULT 'physical',
    latitude        double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude       double precision CHECK (longitude BETWEEN -180 AND 180),
    -- A shelter or safe house: never shown to the public, never searched by address, never
    -- exported. Set by a coordinator or on import (an attribute whose term's code is
    -- `confidential`); an import never clears it.
    confidential    boolean NOT NULL DEFAULT false,
    data            jsonb NOT NULL DEFAULT '{}',
    UNIQUE (org_id, source, external_id)
);

CREATE TABLE directory_service_at_locations (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source        text NOT NULL,
    external_id   text NOT NULL,
    content_hash  text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    last_verified date,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    service_id    uuid NOT NULL REFERENCES directory_services (id) ON DELETE CASCADE,
    location_id   uuid NOT NULL REFERENCES directory_locations (id) ON DELETE CASCADE,
    description   text,
    data          jsonb NOT NULL DEFAULT '{}',
    UNIQUE (org_id, source, external_id)
);
CREATE INDEX directory_sal_service ON directory_service_at_locations (service_id);
CREATE INDEX directory_sal_location ON directory_service_at_locations (location_id);

CREATE TABLE directory_addresses (
    id             uuid PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source         text NOT NULL,
    external_id    text NOT NULL,
    content_hash   text NOT NULL,
    active         boolean NOT NULL DEFAULT true,
    last_verified  date,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    location_id    uuid NOT NULL REFERENCES directory_locations (id) ON DELETE CASCADE,
    address_type   text NOT NULL DEFAULT 'physical',
    address_1      text NOT NULL,
    address_2      text,
    city           text NOT NULL,
    region         text,
    state_province text NOT NULL,
    postal_code    text NOT NULL,
    country        text NOT NULL,
    data           jsonb NOT NULL DEFAULT '{}',
    UNIQUE (org_id, source, external_id)
);
CREATE INDEX directory_addresses_location ON directory_addresses (location_id);

-- Phones, schedules and languages belong to one or more of what HSDS links them to.
CREATE TABLE directory_phones (
    id                     uuid PRIMARY KEY,
    org_id                 uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source                 text NOT NULL,
    external_id            text NOT NULL,
    content_hash           text NOT NULL,
    active                 boolean NOT NULL DEFAULT true,
    last_verified          date,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    organization_id        uuid REFERENCES directory_organizations (id) ON DELETE CASCADE,
    service_id             uuid REFERENCES directory_services (id) ON DELETE CASCADE,
    location_id            uuid REFERENCES directory_locations (id) ON DELETE CASCADE,
    service_at_location_id uuid REFERENCES directory_service_at_locations (id) ON DELETE CASCADE,
    number                 text NOT NULL,
    extension              text,
    type                   text,
    description            text,
    data                   jsonb NOT NULL DEFAULT '{}',
    UNIQUE (org_id, source, external_id)
);

CREATE TABLE directory_schedules (
    id                     uuid PRIMARY KEY,
    org_id                 uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source                 text NOT NULL,
    external_id            text NOT NULL,
    content_hash           text NOT NULL,
    active                 boolean NOT NULL DEFAULT true,
    last_verified          date,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    service_id             uuid REFERENCES directory_services (id) ON DELETE CASCADE,
    location_id            uuid REFERENCES directory_locations (id) ON DELETE CASCADE,
    service_at_location_id uuid REFERENCES directory_service_at_locations (id) ON DELETE CASCADE,
    freq                   text,
    byday                  text,
    opens_at               time,
    closes_at              time,
    description            text,
    data                   jsonb NOT NULL DEFAULT '{}',
    UNIQUE (org_id, source, external_id)
);

CREATE TABLE directory_languages (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source        text NOT NULL,
    external_id   text NOT NULL,
    content_hash  text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    last_verified date,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    service_id    uuid REFERENCES directory_services (id) ON DELETE CASCADE,
    location_id   uuid REFERENCES directory_locations (id) ON DELETE CASCADE,
    phone_id      uuid REFERENCES directory_phones (id) ON DELETE CASCADE,
    name          text,
    code          text,
    note          text,
    data          jsonb NOT NULL DEFAULT '{}',
    UNIQUE (org_id, source, external_id)
);

CREATE TABLE directory_accessibility (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source        text NOT NULL,
    external_id   text NOT NULL,
    content_hash  text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    last_verified date,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    location_id   uuid NOT NULL REFERENCES directory_locations (id) ON DELETE CASCADE,
    description   text,
    details       text,
    url           text,
    data          jsonb NOT NULL DEFAULT '{}',
    UNIQUE (org_id, source, external_id)
);

CREATE TABLE directory_cost_options (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source        text NOT NULL,
    external_id   text NOT NULL,
    content_hash  text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    last_verified date,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    service_id    uuid NOT NULL REFERENCES directory_services (id) ON DELETE CASCADE,
    option        text,
    currency      text,
    amount        numeric,
    data          jsonb NOT NULL DEFAULT '{}',
    UNIQUE (org_id, source, external_id)
);

CREATE TABLE directory_service_areas (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source        text NOT NULL,
    external_id   text NOT NULL,
    content_hash  text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    last_verified date,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    service_id    uuid NOT NULL REFERENCES directory_services (id) ON DELETE CASCADE,
    name          text,
    description   text,
    data          jsonb NOT NULL DEFAULT '{}',
    UNIQUE (org_id, source, external_id)
);

-- Taxonomies: Open Eligibility ships as the default, shared by every organization (org_id
-- NULL, loaded on first import from coord/directory/data); a source's own taxonomies are its
-- organization's, their terms kept as codes.
CREATE TABLE directory_taxonomies (
    id            uuid PRIMARY KEY,
    org_id        uuid REFERENCES orgs (id) ON DELETE CASCADE,
    source        text NOT NULL,
    external_id   text NOT NULL,
    content_hash  text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    last_verified date,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    name          text NOT NULL,
    description   text,
    uri           text,
    version       text,
    attribution   text,
    data          jsonb NOT NULL DEFAULT '{}',
    UNIQUE NULLS NOT DISTINCT (org_id, source, external_id)
);

CREATE TABLE directory_taxonomy_terms (
    id            uuid PRIMARY KEY,
    org_id        uuid REFERENCES orgs (id) ON DELETE CASCADE,
    source        text NOT NULL,
    external_id   text NOT NULL,
    content_hash  text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    last_verified date,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    taxonomy_id   uuid REFERENCES directory_taxonomies (id) ON DELETE CASCADE,
    taxonomy      text,  -- the taxonomy's name as the source wrote it (HSDS `taxonomy`)
    parent_id     uuid,  -- another term's id; not a foreign key, a source may list a child first
    code          text,
    name          text NOT NULL,
    description   text,
    language      text,
    data          jsonb NOT NULL DEFAULT '{}',
    UNIQUE NULLS NOT DISTINCT (org_id, source, external_id)
);
CREATE INDEX directory_terms_code ON directory_taxonomy_terms (code);

-- A term applied to a service, location, organization... (HSDS attribute).
CREATE TABLE directory_attributes (
    id               uuid PRIMARY KEY,
    org_id           uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source           text NOT NULL,
    external_id      text NOT NULL,
    content_hash     text NOT NULL,
    active           boolean NOT NULL DEFAULT true,
    last_verified    date,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    taxonomy_term_id uuid NOT NULL REFERENCES directory_taxonomy_terms (id) ON DELETE CASCADE,
    link_entity      text NOT NULL,
    link_id          uuid NOT NULL,
    link_type        text,
    value            text,
    data             jsonb NOT NULL DEFAULT '{}',
    UNIQUE (org_id, source, external_id)
);
CREATE INDEX directory_attributes_link ON directory_attributes (link_id);

-- One import of a file: who, what, its outcome and the per-record report.
CREATE TABLE directory_imports (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    source      text NOT NULL,
    format      text NOT NULL,
    status      text NOT NULL CHECK (status IN ('applied', 'rejected', 'dry_run')),
    full_import boolean NOT NULL,
    counts      jsonb NOT NULL DEFAULT '{}',
    report      jsonb NOT NULL DEFAULT '[]',
    created_at  timestamptz NOT NULL
);
CREATE INDEX directory_imports_org ON directory_imports (org_id, created_at DESC);
