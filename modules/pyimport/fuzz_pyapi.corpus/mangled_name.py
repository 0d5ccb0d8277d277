import difflib
class SequenceMatcher(difflib.SequenceMatcher):
    def rechain(self):
        self.__chain_b()
SequenceMatcher(None, "ab", "abc").rechain()
