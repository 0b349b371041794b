"""Deduplication: records of one vacancy from several sources grouped, one of them shown."""
