"""Rasa's DIETClassifier, loaded to answer only.

Rasa's `RasaModel.load` builds a DIET's weights by fitting the model on one
example, then reads the stored weights over them. That one step of training
computes a gradient for every weight and Adam's two values for each, and the
memory they took stays with the process: several times the weights' own
(measured in docs/results.md, twentieth session).
Here the stored weights are read first and TensorFlow restores each one as
answering one example creates it (a checkpoint read before its variables
exist restores them on creation), so nothing is trained at load. The answers
are Rasa's own, to the bit (tests/test_intent_ensemble.py), and a weight the
checkpoint does not hold stops the load rather than answering with its
random start.

Training and storing stay Rasa's: only `load` differs, through
DIETClassifier's own hook for its model class (`model_class`)."""

from __future__ import annotations

from typing import Any, Type

from rasa.nlu.classifiers import diet_classifier
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel


class AnsweringDIET(diet_classifier.DIET):
    @classmethod
    def load(
        cls,
        model_file_name: str,
        model_data_example: RasaModelData,
        predict_data_example: RasaModelData | None = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> AnsweringDIET:
        if finetune_mode or predict_data_example is None:
            # further training needs the optimizer Rasa's load builds (the
            # ensemble never fine-tunes a loaded DIET: `--finetune` trains anew)
            raise RuntimeError("AnsweringDIET loads a DIET to answer, not to train it further")
        model = cls(*args, **kwargs)
        status = model.load_weights(model_file_name)
        # answering one example creates every weight answering needs, each
        # restored from the checkpoint as it is created (traced as a
        # tf.function, whatever `run_eagerly` says: it is off for every member)
        model.run_inference(predict_data_example)
        status.assert_existing_objects_matched()
        # the checkpoint's optimizer step and learning rate have no optimizer
        # here to go to: expected, and not to be warned about when the model is freed
        status.expect_partial()
        return model


class DIETClassifier(diet_classifier.DIETClassifier):
    """Rasa's DIETClassifier, whose model is an AnsweringDIET. The same class
    name: Rasa names the files it stores after the class."""

    @staticmethod
    def model_class() -> Type[RasaModel]:
        return AnsweringDIET

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> DIETClassifier:
        diet = super().load(*args, **kwargs)
        if diet.model is None:
            # Rasa's load answers a DIET it could not load (a missing file, a
            # weight of another shape) with an untrained one, which would be
            # left out of the ensemble's average without a word
            raise RuntimeError("a DIET member of the model could not be loaded")
        return diet
