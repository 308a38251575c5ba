"""A small OpenID Connect provider (django-oauth-toolkit) that AIHQ's single sign-on tests sign in through.

It is a Django project of its own, run as a separate process: ``python -m tests.oidc_provider serve ...``.
"""
