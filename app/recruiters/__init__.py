"""Recruiters with no web site: post an offer, prove the e-mail address, manage offers and applications."""
