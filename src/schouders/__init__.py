"""Schouders: hoe sterk zijn de schouders van Nederlandse gemeenten?"""

__version__ = "0.1.0"
