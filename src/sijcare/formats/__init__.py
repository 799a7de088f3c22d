"""The public file formats (JSON and CSV) and their parsers.

Parsers turn a file's contents into domain values, or raise `InputError` naming the file
and the field or line. They do no other I/O than reading the text they are given.
"""
