"""Read models: what a person sees across domains, each with its own SQL (queries.py).

A view composes domain services (which check access) with its own reads; pages and
API routes call views, views call domain services, and no domain imports a view.
  coverage       sessions short of facilitators (the session_coverage SQL view)
  event_page     one community event as its page shows it
  group_page     one group as its page shows it
  my_groups      the groups one person belongs to
  my_schedule    one person's sessions, shift places and registrations
  org_directory  public groups and events, for anyone
  org_overview   an organization's page and its coordinators' overview
  routes         the API's coverage-gaps routes (/groups/{id}/ and /orgs/{id}/coverage-gaps)
  session_page   one session for one reader
  shift_board    a week of shifts as a volunteer sees them
"""
