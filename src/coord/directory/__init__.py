"""The resource directory (issue 17): HSDS 3.0 entries curated by an organization, and
their import from HSDS JSON and CSV data packages."""
