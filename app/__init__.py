"""DefCoop: defence-industrial cooperation facts as Linked Data."""
