"""The web app and REST API: server-rendered pages in Dutch (English switch), JSON/CSV twins.

Entry points: :func:`schouders.web.app.create_app` and :func:`schouders.web.server.serve`.
"""
