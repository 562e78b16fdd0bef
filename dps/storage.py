"""The media store (uploads, generated PDFs), and leaving in it only files a row refers to.

Django's FileSystemStorage leaves a partly written file behind when a write fails (a full
disk), under a name its caller never learns. MediaStorage writes each file under a name of
its own first and moves it into place only once it is whole, so a failed write leaves
nothing. `files_removed_on_failure` does the same for a service whose row is not saved after
its files were stored."""

import contextlib
import os
import uuid

from django.core.files.storage import FileSystemStorage


class MediaStorage(FileSystemStorage):
    def _save(self, name, content):
        partial = f"{name}.{uuid.uuid4().hex}.part"  # no other write ever uses this name
        try:
            partial = super()._save(partial, content)
            return self._move_into_place(partial, name)
        except BaseException:
            with contextlib.suppress(OSError):  # the write's own error is the one to report
                self.delete(partial)
            raise

    def _move_into_place(self, partial, name):
        """Claim `name` as Django does (never overwriting: another write may have taken it
        since get_available_name), then replace the claim by the whole file at once."""
        while True:
            try:
                os.close(os.open(self.path(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            except FileExistsError:
                name = self.get_available_name(name)
            else:
                break
        try:
            os.replace(self.path(partial), self.path(name))
        except BaseException:
            with contextlib.suppress(OSError):
                self.delete(name)  # the empty claim
            raise
        return name


@contextlib.contextmanager
def files_removed_on_failure(instance, *fields):
    """Delete the files stored in `instance`'s file `fields` if the block fails, so that a row
    that was never saved (a database error, a refused rule) leaves no file behind."""
    try:
        yield
    except BaseException:
        for field in fields:
            stored = getattr(instance, field)
            if stored.name:
                with contextlib.suppress(OSError):
                    stored.storage.delete(stored.name)
        raise
