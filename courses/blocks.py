from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock


class CodeBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(
        choices=[
            ("python", "Python"),
            ("c", "C"),
            ("cpp", "C++"),
            ("java", "Java"),
            ("javascript", "JavaScript"),
            ("sql", "SQL"),
            ("text", _("Plain text")),
        ],
        default="python",
        label=_("language"),
    )
    code = blocks.TextBlock(label=_("code"))

    class Meta:
        icon = "code"
        label = _("Code")
        template = "courses/blocks/code.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("note", _("Note")), ("tip", _("Tip")), ("warning", _("Warning"))],
        default="note",
        label=_("kind"),
    )
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "code"], label=_("text"))

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "courses/blocks/callout.html"


class LessonBodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(label=_("Rich text"))
    image = ImageBlock(label=_("Image"))
    document = DocumentChooserBlock(label=_("Document"), template="courses/blocks/document.html")
    embed = EmbedBlock(label=_("Embed"))
    code = CodeBlock()
    callout = CalloutBlock()
