"""The Individual Placement Agreement as a PDF (WeasyPrint)."""


def ipa_render(placement):
    raise NotImplementedError
