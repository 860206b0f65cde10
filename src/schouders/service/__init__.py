"""The service facade: typed answers over the warehouse and the indicator engine.

Everything above this layer (web pages, ``/api``, CLI, exports, reports) asks
:class:`schouders.service.facade.Service`; nothing above it opens the warehouse or the data
folder itself.
"""
